package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingResult;

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

    /** Runs {@code objective} on {@code weights} with {@link #config} (full fine-tuning, no probes). */
    public static TrainingResult train(LlamaWeights weights, Objective objective, int steps, double lr, int batch,
            long seed) {
        return new Trainer().run(weights, objective, config(steps, lr, batch, seed), null);
    }

    /**
     * A positive integer config value, or its default; the message names {@code key} (the fine-tuning defences'
     * configs pass {@code "k_user:"} and the like, for their {@code key: must be …} messages).
     */
    public static int positive(String key, Integer value, int fallback) {
        return atLeast(key, value, fallback, 1, "> 0");
    }

    /** An integer config value ≥ 0, or its default; the message names the key. */
    public static int nonNegative(String key, Integer value, int fallback) {
        return atLeast(key, value, fallback, 0, ">= 0");
    }

    /** A finite number ≥ 0 (or > 0 when {@code strict}), or its default; the message names the key. */
    public static double nonNegative(String key, Double value, double fallback, boolean strict) {
        return checked(key, value, fallback, strict, "");
    }

    /**
     * As {@link #nonNegative(String, Double, double, boolean)}, for the configs whose message says
     * {@code must be a finite number >= 0}.
     */
    public static double finite(String key, Double value, double fallback, boolean strict) {
        return checked(key, value, fallback, strict, "a finite number ");
    }

    private static int atLeast(String key, Integer value, int fallback, int min, String bound) {
        if (value == null) {
            return fallback;
        }
        if (value < min) {
            throw new IllegalArgumentException(key + " must be " + bound + ", got " + value);
        }
        return value;
    }

    private static double checked(String key, Double value, double fallback, boolean strict, String what) {
        if (value == null) {
            return fallback;
        }
        if (!Double.isFinite(value) || value < 0 || (strict && value == 0)) {
            throw new IllegalArgumentException(key + " must be " + what + (strict ? "> 0" : ">= 0") + ", got "
                    + value);
        }
        return value;
    }
}
