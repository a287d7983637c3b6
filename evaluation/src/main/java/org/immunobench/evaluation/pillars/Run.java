package org.immunobench.evaluation.pillars;

import java.util.List;

/**
 * The rows of one task: one attack (or benign fine-tuning) with one hyper-parameter config and one seed, on one
 * checkpoint, feeding one pillar; its curves are its metrics per step (one curve per metric and judge).
 */
record Run(String taskId, String checkpointId, String parentId, String defence, String track, String attack,
        String config, long seed, String pillar, List<Curve> curves) {

    /** This run's curves of {@code metric}, one per judge, ordered by judge. */
    List<Curve> curves(String metric) {
        return curves.stream().filter(c -> c.metric().equals(metric)).toList();
    }
}
