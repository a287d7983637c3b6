package org.immunobench.training.defences;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Means of named loss terms over the last tenth of a run (at least its last step): the end-of-training figures the
 * training defences report, steadier than the final step's single batch.
 */
final class TailMeans {
    private final Map<String, double[]> sums = new LinkedHashMap<>();

    /** Counts {@code terms} when {@code step} (from 1) is in the last tenth of {@code maxSteps}. */
    void add(int step, int maxSteps, Map<String, Double> terms) {
        if (step <= maxSteps - Math.max(1, maxSteps / 10)) {
            return;
        }
        terms.forEach((name, value) -> {
            double[] s = sums.computeIfAbsent(name, k -> new double[2]);
            s[0] += value;
            s[1]++;
        });
    }

    /** {@code <term>_tail} → mean, in the order the terms first appeared. */
    Map<String, Double> means() {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((name, s) -> out.put(name + "_tail", s[0] / s[1]));
        return out;
    }
}
