package org.immunobench.evaluation.leaderboard;

/**
 * One metric column of the leaderboard: a pillar figure, keyed {@code <pillar>.<metric>} like {@code order_by}.
 */
public record LeaderboardColumn(String pillar, String metric) {

    /** {@code resistance.worst_case_harm}: the CSV header and the pivot key. */
    public String key() {
        return pillar + "." + metric;
    }

    /** The human header of the Markdown and HTML tables. */
    public String header() {
        return pillar + " " + metric;
    }

    /** Whether the figure counts attack steps (t_break, steps to reach the parent), which shapes its display. */
    public boolean countsSteps() {
        return metric.startsWith("t_break") || metric.startsWith("steps_to");
    }

    static LeaderboardColumn ofKey(String key) {
        int dot = key.indexOf('.');
        return new LeaderboardColumn(key.substring(0, dot), key.substring(dot + 1));
    }
}
