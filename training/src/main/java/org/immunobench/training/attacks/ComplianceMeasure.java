package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.List;

/**
 * How compliant (harmful) the model is on harmful prompts under some interventions, higher = more compliant; e.g. a
 * judge's harmful rate on greedy completions. Lets {@link RefusalDirectionAttack} select by induced compliance
 * rather than by the first-token refusal score, which a model can dodge by refusing in other words (seen on the toy
 * world: ablation turned "i will not give steps …" into "the not give steps …").
 */
@FunctionalInterface
public interface ComplianceMeasure {
    /**
     * @param harmfulPrompts the attack's harmful validation prompts (token ids with BOS), disjoint from the prompts
     *     its directions were computed from
     */
    double measure(LlamaWeights weights, List<ResidualIntervention> interventions, List<int[]> harmfulPrompts);
}
