package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.List;

/**
 * Measures the attacked model at a step of the attack (step 0 = before any change). Interventions are those the
 * attack applies at inference (empty for weight-only attacks). Must not modify the weights.
 */
@FunctionalInterface
public interface AttackProbe {
    AttackProbe NONE = (step, weights, interventions) -> { };

    void measure(int step, LlamaWeights weights, List<ResidualIntervention> interventions);
}
