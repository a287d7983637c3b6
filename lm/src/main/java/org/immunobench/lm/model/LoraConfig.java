package org.immunobench.lm.model;

import java.util.List;
import java.util.Set;

/**
 * LoRA (Hu et al. 2106.09685): W x + (α / r) · B A x with A ∈ R^{r×in}, B ∈ R^{out×r}, B = 0 at start so the
 * adapted model starts equal to the base.
 *
 * @param rank r
 * @param alpha α
 * @param targets projection short names: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj
 * @param seed initialisation seed of A
 */
public record LoraConfig(int rank, double alpha, List<String> targets, long seed) {
    public static final Set<String> PROJECTIONS = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    public LoraConfig {
        if (rank <= 0) {
            throw new IllegalArgumentException("lora.rank must be > 0, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("lora.alpha must be > 0, got " + alpha);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("lora.targets must name at least one projection");
        }
        for (String t : targets) {
            if (!PROJECTIONS.contains(t)) {
                throw new IllegalArgumentException("lora.targets: unknown projection '" + t + "'; known: "
                        + PROJECTIONS);
            }
        }
        targets = List.copyOf(targets);
    }

    public double scaling() {
        return alpha / rank;
    }
}
