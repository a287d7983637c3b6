package org.immunobench.training.defences;

import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.TrainerConfig;

/**
 * The optimisation every training defence shares, so that defences differ only in their objective: AdamW at a
 * cosine-decayed learning rate with a 10% warm-up (at most 20 updates), gradient clipping at norm 1, weight decay
 * 0.01, a progress line every tenth of the run. Full fine-tuning unless the defence says otherwise.
 */
public final class DefenceTraining {
    private DefenceTraining() {
    }

    /**
     * @param steps optimiser updates
     * @param lr peak learning rate
     * @param batch examples per micro-batch (of each data stream the objective draws from)
     * @param seed data order and any randomness of the objective
     */
    public static TrainerConfig config(int steps, double lr, int batch, long seed) {
        return TrainerConfig.defaults(lr, steps, batch)
                .withSchedule(LrSchedule.Decay.COSINE, Math.min(20, steps / 10))
                .withWeightDecay(0.01)
                .withMaxGradNorm(1.0)
                .withSeed(seed)
                .withLogEvery(Math.max(1, steps / 10));
    }

    /** A positive integer config value, or its default; the message names the key. */
    public static int positive(String key, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
        return value;
    }

    /** A finite number ≥ 0 (or > 0 when {@code strict}), or its default; the message names the key. */
    public static double nonNegative(String key, Double value, double fallback, boolean strict) {
        if (value == null) {
            return fallback;
        }
        if (!Double.isFinite(value) || value < 0 || (strict && value == 0)) {
            throw new IllegalArgumentException(key + " must be " + (strict ? "> 0" : ">= 0") + ", got " + value);
        }
        return value;
    }
}
