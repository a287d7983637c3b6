package org.immunobench.training.attacks;

import java.util.List;

/**
 * The parameters of {@code refusal_direction} and {@code actadd} as an attack spec gives them, bound by
 * {@link AttackFactory}; every field optional, defaults from {@link RefusalDirectionConfig#defaults}.
 *
 * @param mode {@code ablation} (default), {@code orthogonalise}; {@code actadd} is its own kind
 * @param positions candidate positions: the last this many prompt tokens
 * @param trainPrompts prompts per side for the difference in means
 * @param valPrompts prompts per side for selection
 * @param klBound max mean KL(base ‖ ablated) on harmless validation prompts
 * @param prunedLayerFraction fraction of the last layers never selected
 * @param selection {@code refusal_score} (the paper's first-token proxy) or {@code compliance} (the harm a judge
 *     finds in completions under ablation; needs a {@link ComplianceMeasure})
 */
public record DirectionAttackParams(String mode, Integer positions, Integer trainPrompts, Integer valPrompts,
        Double klBound, Double prunedLayerFraction, String selection) {
    public static final List<String> SELECTIONS = List.of("refusal_score", "compliance");

    public DirectionAttackParams {
        if (mode != null && !List.of("ablation", "orthogonalise").contains(mode)) {
            throw new IllegalArgumentException("mode: '" + mode + "' is unknown; known: [ablation, orthogonalise]");
        }
        if (selection != null && !SELECTIONS.contains(selection)) {
            throw new IllegalArgumentException("selection: '" + selection + "' is unknown; known: " + SELECTIONS);
        }
    }

    boolean byCompliance() {
        return "compliance".equals(selection);
    }

    RefusalDirectionConfig toConfig(String kind) {
        if (kind.equals("actadd") && mode != null) {
            throw new IllegalArgumentException(kind + ".mode: actadd has no mode (refusal_direction has ablation"
                    + " and orthogonalise)");
        }
        String m = kind.equals("actadd") ? "actadd" : mode == null ? "ablation" : mode;
        RefusalDirectionConfig d = RefusalDirectionConfig.defaults(m);
        return new RefusalDirectionConfig(m, or(positions, d.positions()), or(trainPrompts, d.trainPrompts()),
                or(valPrompts, d.valPrompts()), or(klBound, d.klBound()),
                or(prunedLayerFraction, d.prunedLayerFraction()), d.batchSize());
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
