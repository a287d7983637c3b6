package org.immunobench.evaluation.stats;

import java.util.Arrays;

/**
 * Percentile intervals of bootstrap replicates. With the R replicates that are not NaN sorted,
 * x₍₁₎ ≤ … ≤ x₍R₎, and α = 1 − level, the interval is [x₍⌈R·α/2⌉₎, x₍⌈R·(1 − α/2)⌉₎] (ranks clamped to [1, R]):
 * order statistics, no interpolation, so an infinite replicate (an attack that never broke the model) stays a
 * valid end instead of turning the interpolation into NaN. With B = 1000 and level 0.95 these are the 25th and
 * 975th smallest. [NaN, NaN] when every replicate is NaN.
 */
public final class Percentiles {
    private Percentiles() {
    }

    /** {low, high} of the percentile interval at {@code level} (e.g. 0.95). */
    public static double[] interval(double[] replicates, double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        double[] xs = Arrays.stream(replicates).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (xs.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double alpha = 1 - level;
        return new double[] {xs[rank(xs.length, alpha / 2) - 1], xs[rank(xs.length, 1 - alpha / 2) - 1]};
    }

    /** ⌈r·q⌉ clamped to [1, r]; the small epsilon keeps 1000 · 0.025 at 25, not 26 from rounding. */
    static int rank(int r, double q) {
        int k = (int) Math.ceil(r * q - 1e-9);
        return Math.max(1, Math.min(r, k));
    }
}
