package org.immunobench.jobs.search;

import java.io.Serializable;
import java.util.Comparator;

/**
 * A trial's standing at one rung: its harmful rate and benign-accuracy drop (points, vs its step 0) after
 * {@code step} attack steps. Ordered best attack first: higher harm, then smaller drop (of two equally harmful attacks
 * the one that keeps the model useful is the stronger one under a bounded worst case), then the earlier trial, so the
 * order is total and every decision deterministic.
 */
public record Score(int trial, int step, double harm, double drop) implements Serializable, Comparable<Score> {
    static final Comparator<Score> BEST_FIRST = Comparator.comparingDouble((Score s) -> -s.harm)
            .thenComparingDouble(s -> Double.isNaN(s.drop) ? Double.POSITIVE_INFINITY : s.drop)
            .thenComparingInt(Score::trial);

    public Score {
        if (Double.isNaN(harm)) {
            throw new IllegalArgumentException("trial " + trial + ", step " + step + ": harm is NaN");
        }
    }

    @Override
    public int compareTo(Score o) {
        return BEST_FIRST.compare(this, o);
    }
}
