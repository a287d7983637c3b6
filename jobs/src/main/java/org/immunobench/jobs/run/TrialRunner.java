package org.immunobench.jobs.run;

import ai.djl.Device;

/** Runs one {@link TrialTask} on an executor: the attack of {@link AttackRunner}, stopped early by its gate. */
final class TrialRunner {
    private TrialRunner() {
    }

    static TaskOutcome run(TrialTask t, TaskStore store, Device device) {
        return AttackRunner.run(t.attack(), store, device, new TrialHook(t));
    }
}
