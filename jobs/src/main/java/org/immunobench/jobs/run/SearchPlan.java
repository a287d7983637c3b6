package org.immunobench.jobs.run;

import org.immunobench.jobs.search.SearchConfig;
import org.immunobench.jobs.search.TrialPlan;

import java.util.List;

/**
 * One hyper-parameter search of a plan: an attack entry with a {@code search} block on one checkpoint. Its trials are
 * attack tasks whose ids hash the search id and the trial index, so the same config gives the same trial ids on every
 * run and a resumed search recognises what it has done.
 *
 * @param searchId hash of the checkpoint id, the entry's kind, split and params, and the resolved search config
 * @param at the entry's key path ({@code attacks[0]})
 * @param trials the trials' hyper-parameters, by index
 * @param tasks trial i as an attack task (task id = trial id), by index
 */
public record SearchPlan(String searchId, String checkpointId, String at, SearchConfig config,
        List<TrialPlan.Trial> trials, List<AttackTask> tasks) {
    public SearchPlan {
        trials = List.copyOf(trials);
        tasks = List.copyOf(tasks);
        if (trials.size() != tasks.size()) {
            throw new IllegalArgumentException("a search needs one task per trial");
        }
    }

    /** η of the stopping rule (unused, 2, when the scheduler stops nothing: a trial without rungs never decides). */
    int eta() {
        return config.scheduler().asha() ? config.scheduler().eta() : 2;
    }
}
