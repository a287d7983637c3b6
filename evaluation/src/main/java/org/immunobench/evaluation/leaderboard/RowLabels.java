package org.immunobench.evaluation.leaderboard;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Row names. The run's manifest (which config and seed made a checkpoint) is not an input of the leaderboard, so
 * a defence run with several configs shows one row per checkpoint, told apart by the checkpoint id's first 8
 * characters; a defence with a single checkpoint is just its name.
 */
final class RowLabels {
    static final int ID_CHARS = 8;

    private RowLabels() {
    }

    /** Labeller for these rows. */
    static Function<PillarPivot.Pivoted, String> of(List<PillarPivot.Pivoted> rows) {
        Map<String, Long> checkpoints = rows.stream()
                .collect(Collectors.groupingBy(PillarPivot.Pivoted::defence, Collectors.counting()));
        return r -> checkpoints.get(r.defence()) > 1
                ? r.defence() + " (" + r.checkpointId().substring(0, Math.min(ID_CHARS, r.checkpointId().length()))
                        + ")"
                : r.defence();
    }
}
