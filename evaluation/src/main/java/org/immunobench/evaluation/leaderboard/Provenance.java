package org.immunobench.evaluation.leaderboard;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a leaderboard came from, printed under it so a reader can reproduce or at least trace every figure.
 *
 * @param runId the experiment run
 * @param config the run's config file: its path, or its text (shown as a block when it spans lines)
 * @param seeds the attack seeds of the run
 * @param judge who judged the completions behind the rates
 * @param codeVersion version and commit of the code
 * @param createdAt ISO-8601 instant the leaderboard was made
 * @param stageTimings wall-clock seconds per stage, in the order the stages ran (the map's iteration order is kept)
 */
public record Provenance(String runId, String config, List<Long> seeds, String judge, String codeVersion,
        String createdAt, Map<String, Double> stageTimings) {

    public Provenance {
        Objects.requireNonNull(runId, "runId");
        config = Objects.requireNonNullElse(config, "");
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        judge = Objects.requireNonNullElse(judge, "");
        codeVersion = Objects.requireNonNullElse(codeVersion, "");
        createdAt = Objects.requireNonNullElse(createdAt, "");
        // A copy that keeps the caller's order: a plain Map.copyOf would shuffle the stages.
        stageTimings = stageTimings == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(stageTimings));
    }
}
