package org.immunobench.evaluation.pillars;

/**
 * Statistics over seeds. mean(x) = Σ xᵢ / k (an infinite xᵢ makes it infinite: "never broke" propagates);
 * sampleStd(x) = √(Σ (xᵢ − mean)² / (k − 1)), 0 when k = 1, NaN when any xᵢ is not finite; min and max of the
 * per-seed values (an infinite value is kept: "never broke" is the largest).
 */
final class SeedStats {
    private SeedStats() {
    }

    static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.length;
    }

    static double min(double[] xs) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : xs) {
            m = Math.min(m, x);
        }
        return xs.length == 0 ? Double.NaN : m;
    }

    static double max(double[] xs) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            m = Math.max(m, x);
        }
        return m;
    }

    static double sampleStd(double[] xs) {
        for (double x : xs) {
            if (!Double.isFinite(x)) {
                return Double.NaN;
            }
        }
        if (xs.length < 2) {
            return 0;
        }
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (xs.length - 1));
    }
}
