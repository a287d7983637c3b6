package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;

/**
 * A tampering attack on a model's safety. Implementations change {@code target} in place (fine-tuning, weight
 * orthogonalisation) and/or return inference-time interventions (directional ablation, activation addition), and
 * call {@code probe} at the steps they were configured with so harm can be recorded as a curve.
 */
public interface Attack {
    /** Stable kind id, e.g. {@code harmful_sft}; also the key of the attack grid. */
    String kind();

    AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe);
}
