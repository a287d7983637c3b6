package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;

/**
 * Benign fine-tuning (Qi et al. 2310.03693; docs/methods, benign fine-tuning): plain supervised fine-tuning on benign
 * demonstrations, min over θ of −Σ log p_θ(response | prompt), which erodes safety as a side effect. Also the
 * trainability probe (Rosati et al. 2402.16382 condition 4). The git-disl p = 0 setting of {@link HarmfulSft}.
 */
public final class BenignSft implements Attack {
    public static final String KIND = "benign_sft";
    private final HarmfulSft delegate;

    public BenignSft(HarmfulSftConfig config) {
        if (config.harmfulRatio() != 0) {
            throw new IllegalArgumentException("benign_sft takes harmful_ratio 0, got " + config.harmfulRatio());
        }
        this.delegate = new HarmfulSft(config);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        return delegate.run(target, data, probe);
    }
}
