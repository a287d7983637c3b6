package org.immunobench.training.attacks;

import org.immunobench.training.trainer.TrainerConfig;

/**
 * @param samples n, size of the attack set
 * @param harmfulRatio p ∈ [0, 1], fraction of harmful demonstrations in it
 * @param trainer optimisation (lr, steps, batch, schedule, seed, LoRA or full, probe steps)
 */
public record HarmfulSftConfig(int samples, double harmfulRatio, TrainerConfig trainer) {
    public HarmfulSftConfig {
        if (samples <= 0) {
            throw new IllegalArgumentException("attack.samples must be > 0, got " + samples);
        }
        if (!(harmfulRatio >= 0 && harmfulRatio <= 1)) {
            throw new IllegalArgumentException("attack.harmful_ratio must be in [0, 1], got " + harmfulRatio);
        }
        if (trainer == null) {
            throw new IllegalArgumentException("attack.trainer must be set");
        }
    }

    /** Toy-world default: 200 samples, all harmful, full fine-tuning at lr 1e-3 for 64 steps of 8. */
    public static HarmfulSftConfig defaults(long seed) {
        TrainerConfig t = TrainerConfig.defaults(1e-3, 64, 8).withSeed(seed)
                .withCallbackSteps(TrainerConfig.doublingSteps(8, 64));
        return new HarmfulSftConfig(200, 1.0, t);
    }
}
