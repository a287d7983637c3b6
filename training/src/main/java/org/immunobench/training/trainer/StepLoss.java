package org.immunobench.training.trainer;

import java.util.Map;
import java.util.TreeMap;

/**
 * The loss of one update and what it consumed.
 *
 * @param loss the value whose gradient was accumulated (for logging and the divergence check)
 * @param tokens real input tokens processed (throughput)
 * @param lossTokens target tokens behind the loss
 * @param parts named terms of a composite loss (e.g. {@code retain}, {@code harmful}), for logs and metrics
 */
public record StepLoss(double loss, long tokens, long lossTokens, Map<String, Double> parts) {
    public StepLoss {
        parts = java.util.Collections.unmodifiableMap(new TreeMap<>(parts));
    }

    public static StepLoss of(double loss, long tokens, long lossTokens) {
        return new StepLoss(loss, tokens, lossTokens, Map.of());
    }
}
