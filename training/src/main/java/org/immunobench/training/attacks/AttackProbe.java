package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.prompt.PromptFrame;

import java.util.List;

/**
 * Measures the attacked model at a step of the attack (step 0 = before any change). Interventions are those the
 * attack applies at inference (empty for weight-only attacks). Must not modify the weights.
 */
@FunctionalInterface
public interface AttackProbe {
    AttackProbe NONE = (step, weights, interventions) -> { };

    void measure(int step, LlamaWeights weights, List<ResidualIntervention> interventions);

    /**
     * Measures with every harmful evaluation request wrapped in {@code frame} (prompt-level attacks change no
     * weight; {@link Misdirection}). Judged against the request as it was. A probe that cannot frame prompts
     * refuses rather than measure the plain prompts under the attack's name.
     */
    default void measureFramed(int step, LlamaWeights weights, PromptFrame frame) {
        throw new UnsupportedOperationException("this probe cannot frame prompts, so it cannot measure the "
                + frame.id() + " misdirection");
    }
}
