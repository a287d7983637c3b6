package org.immunobench.curation.perplexity;

import java.util.Arrays;

/**
 * Exact percentiles by linear interpolation between closest ranks: for sorted values v[0..n-1] and percent p, the
 * value at fractional rank h = (n − 1)·p/100, i.e. v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]). The same definition
 * as numpy's default ({@code method="linear"}) and Spark SQL's exact {@code percentile}, so figures can be checked
 * against either.
 */
public final class Percentiles {
    private Percentiles() {
    }

    /** One value per percent (each in [0, 100]); {@code values} need not be sorted and are not modified. */
    public static double[] of(double[] values, double[] percents) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentiles of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double[] out = new double[percents.length];
        for (int i = 0; i < percents.length; i++) {
            out[i] = ofSorted(v, percents[i]);
        }
        return out;
    }

    /** Percentile {@code percent} of already sorted values. */
    public static double ofSorted(double[] sorted, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be in [0, 100], got " + percent);
        }
        if (sorted.length == 0) {
            throw new IllegalArgumentException("percentile of no values");
        }
        double h = (sorted.length - 1) * percent / 100.0;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
