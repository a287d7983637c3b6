package org.immunobench.jobs.run;

import org.immunobench.jobs.search.Rungs;
import org.immunobench.jobs.search.Score;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One trial of a search as a Spark task: the attack it runs (its task id is the trial id) and what its stopping
 * decisions need — its rungs, η, and the scores the trials of earlier waves made at each rung ({@link
 * org.immunobench.jobs.search.Waves}).
 *
 * @param wave the trial's wave (trial index / wave size)
 * @param history rung step → the earlier trials' scores there
 */
record TrialTask(AttackTask attack, String searchId, int index, int wave, Rungs rungs, int eta,
        Map<Integer, List<Score>> history) implements Serializable {
    TrialTask {
        history = Map.copyOf(history);
    }
}
