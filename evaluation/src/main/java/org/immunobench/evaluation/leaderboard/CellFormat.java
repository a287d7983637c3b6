package org.immunobench.evaluation.leaderboard;

import java.util.Locale;

/**
 * Display strings of leaderboard figures (the Markdown and HTML tables; the CSV keeps raw numbers). Blank means the
 * input had no such figure, "–" that it had one but it is undefined (NaN), and an infinite step count means the
 * event never happened within the steps the attack ran.
 */
final class CellFormat {
    static final String NEVER = "never (≤ max step)";
    static final String UNDEFINED = "–";

    private CellFormat() {
    }

    static String value(LeaderboardColumn column, Double v) {
        if (v == null) {
            return "";
        }
        if (v.isNaN()) {
            return UNDEFINED;
        }
        if (v.isInfinite()) {
            if (column.countsSteps() && v > 0) {
                return NEVER;
            }
            return v > 0 ? "∞" : "−∞";
        }
        if (column.countsSteps()) {
            return steps(v);
        }
        // Deltas carry their sign so a drop reads as one at a glance.
        return String.format(Locale.ROOT, column.metric().startsWith("delta_") ? "%+.3f" : "%.3f", v);
    }

    /** "±0.012" of a spread, in the ordering column's units. */
    static String spread(LeaderboardColumn column, Double v) {
        if (v == null) {
            return "";
        }
        if (v.isNaN() || v.isInfinite()) {
            return UNDEFINED;
        }
        return "±" + (column.countsSteps() ? steps(v) : String.format(Locale.ROOT, "%.3f", v));
    }

    /** "[0.250, 0.350]" of an interval, "–" when either end is missing or NaN; an infinite end shows as ∞. */
    static String interval(LeaderboardColumn column, Double low, Double high) {
        if (low == null || high == null || low.isNaN() || high.isNaN()) {
            return UNDEFINED;
        }
        return "[" + end(column, low) + ", " + end(column, high) + "]";
    }

    private static String end(LeaderboardColumn column, double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        return column.countsSteps() ? steps(v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Steps are means over seeds: whole when they are, one decimal otherwise. */
    private static String steps(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    static String rank(int rank, boolean tied) {
        return (tied ? "=" : "") + rank;
    }
}
