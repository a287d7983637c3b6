package org.immunobench.training.trainer;

import java.util.List;
import java.util.Locale;

/**
 * Outcome of one {@link Trainer} run.
 *
 * @param status completed, or diverged (the run stopped before applying the offending update)
 * @param steps optimiser updates applied
 * @param finalLoss loss of the last applied update, NaN when none was applied
 * @param lossHistory loss of update 1, 2, …, steps
 * @param reason null when completed; else "step N: why" for the update that was refused
 * @param tokensPerSecond real input tokens per second, callbacks excluded
 */
public record TrainingResult(Status status, int steps, double finalLoss, List<Double> lossHistory, String reason,
        double tokensPerSecond) {
    public enum Status {
        COMPLETED, DIVERGED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TrainingResult {
        lossHistory = List.copyOf(lossHistory);
    }

    public boolean diverged() {
        return status == Status.DIVERGED;
    }

    /** The step whose update was refused, or -1 when the run completed. */
    public int divergedAtStep() {
        return diverged() ? steps + 1 : -1;
    }
}
