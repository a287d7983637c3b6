package org.immunobench.training.defences;

import org.immunobench.training.trainer.TrainingResult;

import java.util.Map;
import java.util.TreeMap;

/**
 * Outcome of one {@link Defence#apply}.
 *
 * @param status {@code completed} or {@code diverged} (a diverged defence still returns its weights; the immunise
 *     job records the status and does not attack a diverged checkpoint)
 * @param steps optimiser updates applied (0 for training-free defences)
 * @param metrics the defence's own figures (final loss, LoX's R_align …), written to the manifest row
 */
public record DefenceResult(String status, int steps, Map<String, Double> metrics) {
    public DefenceResult {
        if (status == null || status.isBlank()) {
            throw new IllegalArgumentException("defence result status must be set");
        }
        metrics = java.util.Collections.unmodifiableMap(new TreeMap<>(metrics));
    }

    /** The trainer's status and applied steps, with the defence's {@code metrics}. */
    public static DefenceResult of(TrainingResult result, Map<String, Double> metrics) {
        return new DefenceResult(result.status().label(), result.steps(), metrics);
    }

    public static DefenceResult completed(int steps, Map<String, Double> metrics) {
        return new DefenceResult("completed", steps, metrics);
    }
}
