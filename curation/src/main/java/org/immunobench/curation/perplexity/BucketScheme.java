package org.immunobench.curation.perplexity;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;

/**
 * Perplexity buckets by percentile cut-offs within a group of rows (per source and domain), as CCNet buckets
 * documents per language: with the default cut-offs 30 and 60, a row below its group's p30 is {@code head}, below
 * p60 {@code middle}, else {@code tail}. Equal perplexities always share a bucket, so with ties a bucket can hold
 * more or less than its nominal share.
 *
 * <p>A group with fewer than {@code minGroupRows} scored rows is not bucketed: its rows get {@link #SMALL_GROUP}
 * (CCNet's label for languages it has no model for), and percentile policies leave them alone.
 *
 * @param cutoffs percentiles in (0, 100), strictly increasing
 * @param labels one more than the cut-offs, distinct
 */
public record BucketScheme(List<Double> cutoffs, List<String> labels, Integer minGroupRows) implements Serializable {
    public static final String SMALL_GROUP = "all";
    public static final List<Double> DEFAULT_CUTOFFS = List.of(30.0, 60.0);
    public static final List<String> DEFAULT_LABELS = List.of("head", "middle", "tail");
    public static final int DEFAULT_MIN_GROUP_ROWS = 20;

    /** Null components take their defaults; null labels are {@link #defaultLabels} of the cut-offs. */
    public BucketScheme {
        cutoffs = List.copyOf(cutoffs == null ? DEFAULT_CUTOFFS : cutoffs);
        minGroupRows = minGroupRows == null ? DEFAULT_MIN_GROUP_ROWS : minGroupRows;
        if (cutoffs.isEmpty()) {
            throw new IllegalArgumentException("cutoffs: give at least one percentile");
        }
        for (int i = 0; i < cutoffs.size(); i++) {
            double c = cutoffs.get(i);
            if (!(c > 0 && c < 100)) {
                throw new IllegalArgumentException("cutoffs[" + i + "]: must be in (0, 100), got " + c);
            }
            if (i > 0 && c <= cutoffs.get(i - 1)) {
                throw new IllegalArgumentException("cutoffs[" + i + "]: must be above cutoffs[" + (i - 1) + "] ("
                        + cutoffs.get(i - 1) + "), got " + c);
            }
        }
        if (labels == null) {
            labels = defaultLabels(cutoffs.size());
        }
        labels = List.copyOf(labels);
        if (labels.size() != cutoffs.size() + 1) {
            throw new IllegalArgumentException("labels: " + cutoffs.size() + " cut-offs make " + (cutoffs.size() + 1)
                    + " buckets, got " + labels.size() + " labels");
        }
        if (new HashSet<>(labels).size() != labels.size() || labels.contains(SMALL_GROUP)) {
            throw new IllegalArgumentException("labels: must be distinct and not '" + SMALL_GROUP + "', got "
                    + labels);
        }
        if (minGroupRows < 1) {
            throw new IllegalArgumentException("min_group_rows: must be >= 1, got " + minGroupRows);
        }
    }

    public static BucketScheme defaults() {
        return new BucketScheme(null, null, null);
    }

    /** head/middle/tail for two cut-offs, else b0, b1, …. */
    public static List<String> defaultLabels(int cutoffCount) {
        if (cutoffCount == 2) {
            return DEFAULT_LABELS;
        }
        return java.util.stream.IntStream.rangeClosed(0, cutoffCount).mapToObj(i -> "b" + i).toList();
    }

    /**
     * The bucket of {@code ppl} in a group whose cut-off values (the group's percentiles at {@link #cutoffs}, same
     * order) are given: the label after the last cut-off value that {@code ppl} reaches.
     */
    public String label(double ppl, double[] cutoffValues) {
        if (cutoffValues.length != cutoffs.size()) {
            throw new IllegalArgumentException("expected " + cutoffs.size() + " cut-off values, got "
                    + cutoffValues.length);
        }
        int i = 0;
        while (i < cutoffValues.length && ppl >= cutoffValues[i]) {
            i++;
        }
        return labels.get(i);
    }

    public double[] cutoffArray() {
        return cutoffs.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
