package org.immunobench.curation.report;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The perplexity histogram of one source: counts per log-spaced bin, split by bucket label (stacked in the plot),
 * and the cut-off values of each of the source's bucketed (source, domain) groups.
 *
 * @param counts bucket label → count per bin, labels in the order they are stacked
 * @param cutoffs one line per bucketed group and cut-off
 */
public record PplHistogram(String source, long n, int domains, LogBins bins, Map<String, long[]> counts,
        List<CutoffLine> cutoffs) implements Serializable {

    public PplHistogram {
        counts = new LinkedHashMap<>(counts);
        cutoffs = List.copyOf(cutoffs);
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            if (e.getValue().length != bins.bins()) {
                throw new IllegalArgumentException("bucket '" + e.getKey() + "' has " + e.getValue().length
                        + " counts for " + bins.bins() + " bins");
            }
        }
    }

    /** @param index position of the cut-off in the bucket scheme (0 = lowest) */
    public record CutoffLine(int index, double percent, double value, String domain) implements Serializable {
    }

    /** Rows in bin {@code i}, all buckets together. */
    public long total(int i) {
        long t = 0;
        for (long[] c : counts.values()) {
            t += c[i];
        }
        return t;
    }
}
