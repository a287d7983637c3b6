package org.immunobench.training.attacks;

import java.util.List;

/**
 * Settings of {@link RefusalDirectionAttack}; defaults follow Arditi et al. 2406.11717 (KL bound 0.1, last 20% of
 * layers pruned, 128 train / 32 validation prompts per side), with positions = the post-instruction tokens.
 *
 * @param mode {@code ablation} (inference-time projection at every layer and position), {@code orthogonalise}
 *     (weights changed in place, a standalone checkpoint) or {@code actadd} (subtract the direction at one layer)
 * @param positions candidate positions: the last this many prompt tokens
 * @param trainPrompts prompts per side for the difference in means
 * @param valPrompts prompts per side for selection
 * @param klBound max mean KL(base ‖ ablated) on harmless validation prompts
 * @param prunedLayerFraction fraction of the last layers never selected
 * @param batchSize prompts per forward pass
 */
public record RefusalDirectionConfig(String mode, int positions, int trainPrompts, int valPrompts, double klBound,
        double prunedLayerFraction, int batchSize) {
    public static final List<String> MODES = List.of("ablation", "orthogonalise", "actadd");

    public RefusalDirectionConfig {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("attack.mode must be one of " + MODES + ", got '" + mode + "'");
        }
        if (positions <= 0) {
            throw new IllegalArgumentException("attack.positions must be > 0, got " + positions);
        }
        if (trainPrompts <= 0 || valPrompts <= 0) {
            throw new IllegalArgumentException("attack.train_prompts and attack.val_prompts must be > 0");
        }
        if (!(klBound > 0)) {
            throw new IllegalArgumentException("attack.kl_bound must be > 0, got " + klBound);
        }
        if (!(prunedLayerFraction >= 0 && prunedLayerFraction < 1)) {
            throw new IllegalArgumentException("attack.pruned_layer_fraction must be in [0, 1), got "
                    + prunedLayerFraction);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("attack.batch_size must be > 0, got " + batchSize);
        }
    }

    public static RefusalDirectionConfig defaults(String mode) {
        return new RefusalDirectionConfig(mode, 3, 128, 32, 0.1, 0.2, 32);
    }
}
