package org.immunobench.jobs.search;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stopping decisions of one running trial: after each measurement the task asks whether to go on; at a decision
 * rung the answer is {@link SuccessiveHalving}'s against the scores the trials of earlier waves made at that rung
 * ({@code history}, fixed when the task is made, so the answer never depends on which tasks happened to finish
 * first). Serializable: it travels inside the trial's Spark task.
 */
public final class TrialGate implements Serializable {
    private final int trial;
    private final List<Integer> decisions;
    private final int eta;
    private final Map<Integer, List<Score>> history;
    private final List<Score> scores = new ArrayList<>();
    private Integer stoppedAt;

    /**
     * @param history rung step → the scores of earlier trials there (a rung with no entry has had no trial yet)
     */
    public TrialGate(int trial, Rungs rungs, int eta, Map<Integer, List<Score>> history) {
        this.trial = trial;
        this.decisions = rungs.decisions();
        this.eta = eta;
        this.history = Map.copyOf(history);
    }

    /**
     * Records the trial's measurement at {@code step}; false when the trial stops here.
     *
     * @param nll mean NLL of held-out harmful responses (NaN when not measured)
     * @param drop benign-accuracy drop in points against the trial's step 0
     */
    public boolean keepGoing(int step, double harm, double nll, double drop) {
        if (stoppedAt != null) {
            throw new IllegalStateException("trial " + trial + " was stopped at step " + stoppedAt
                    + " and cannot be measured again at step " + step);
        }
        if (!decisions.contains(step)) {
            return true;
        }
        Score own = new Score(trial, step, harm, nll, drop);
        scores.add(own);
        boolean keep = new SuccessiveHalving(eta).keeps(own, history.getOrDefault(step, List.of()));
        if (!keep) {
            stoppedAt = step;
        }
        return keep;
    }

    /** The scores at the decision rungs the trial reached, in step order. */
    public List<Score> scores() {
        return List.copyOf(scores);
    }

    /** The rung at which the trial was stopped, or null. */
    public Integer stoppedAt() {
        return stoppedAt;
    }
}
