package org.immunobench.curation.report;

/**
 * Equal-width bins on a log scale between {@code lo} and {@code hi} (perplexities span orders of magnitude, so a
 * linear histogram puts nearly every row in its first bin). Values outside are clamped into the end bins; when
 * {@code hi <= lo} every value falls into bin 0.
 */
public record LogBins(double lo, double hi, int bins) implements java.io.Serializable {
    public LogBins {
        if (!(lo > 0) || !(hi > 0)) {
            throw new IllegalArgumentException("log bins need positive bounds, got [" + lo + ", " + hi + "]");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
    }

    public int index(double v) {
        if (hi <= lo) {
            return 0;
        }
        double x = (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) * bins;
        if (Double.isNaN(x)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(bins - 1, Math.floor(x)));
    }

    /** Lower edge of bin {@code i}; {@code edge(bins) == hi}. */
    public double edge(int i) {
        if (hi <= lo) {
            return i == 0 ? lo : hi;
        }
        return Math.exp(Math.log(lo) + i * (Math.log(hi) - Math.log(lo)) / bins);
    }
}
