package org.immunobench.training.trainer;

import java.util.Locale;

/**
 * Learning rate per optimiser update: linear warm-up from 0, then constant, cosine or linear decay towards
 * {@code minRatio · peak}. Matches HF transformers' {@code get_scheduler} (constant_with_warmup, cosine, linear;
 * cosine_with_min_lr for a non-zero floor) for update index k = step − 1:
 * <pre>
 *   k &lt; W:     peak · k / W                      (so the first update of a warm-up has lr 0, as in HF)
 *   otherwise:  p = (k − W) / (S − W)
 *               constant: peak
 *               cosine:   peak · (r + (1 − r) · ½(1 + cos πp))
 *               linear:   peak · (r + (1 − r) · (1 − p))
 * </pre>
 * with W warm-up steps, S total steps, r the floor ratio. Pure; validated by {@link TrainerConfig}.
 */
public record LrSchedule(double peak, Decay decay, int warmupSteps, int maxSteps, double minRatio) {
    public enum Decay {
        CONSTANT, COSINE, LINEAR;

        /** Parses the config spelling: constant, cosine or linear. */
        public static Decay parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule '" + name + "' is unknown; known: constant, cosine, linear");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Learning rate of update {@code step} (1-based, the trainer's step counter). */
    public double lr(int step) {
        if (step < 1 || step > maxSteps) {
            throw new IllegalArgumentException("step " + step + " is outside [1, " + maxSteps + "]");
        }
        int k = step - 1;
        if (k < warmupSteps) {
            return peak * k / warmupSteps;
        }
        if (decay == Decay.CONSTANT || maxSteps == warmupSteps) {
            return peak;
        }
        double progress = (double) (k - warmupSteps) / (maxSteps - warmupSteps);
        double shape = decay == Decay.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return peak * (minRatio + (1 - minRatio) * shape);
    }
}
