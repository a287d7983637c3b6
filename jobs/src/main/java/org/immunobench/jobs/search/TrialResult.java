package org.immunobench.jobs.search;

import java.util.List;

/**
 * What a committed trial tells the trials of later waves: its scores at the decision rungs it reached.
 *
 * @param status {@code completed}, {@code stopped} (by successive halving, at {@code lastStep}) or {@code diverged}
 * @param lastStep the last step measured
 */
public record TrialResult(int trial, String status, int lastStep, List<Score> scores) {
    public static final String COMPLETED = "completed";
    public static final String STOPPED = "stopped";

    public TrialResult {
        scores = List.copyOf(scores);
    }
}
