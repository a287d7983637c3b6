package org.immunobench.training.defences;

import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named loss terms of every update of a meta-learning defence, turned into the defence's manifest figures: each
 * term at the first update ({@code <term>_first}) and averaged over the last tenth of the run ({@code <term>_last};
 * single updates are noisy at toy batch sizes), plus the trainer's final loss and tokens per second.
 */
final class PartHistory {
    private final List<Map<String, Double>> steps = new ArrayList<>();

    void add(Map<String, Double> parts) {
        steps.add(new LinkedHashMap<>(parts));
    }

    /** Figures of the updates the trainer applied ({@code result.steps()} of them; a refused update is dropped). */
    Map<String, Double> metrics(TrainingResult result) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("final_loss", result.finalLoss());
        out.put("tokens_per_second", result.tokensPerSecond());
        int applied = Math.min(result.steps(), steps.size());
        if (applied == 0) {
            return out;
        }
        int tail = Math.max(1, applied / 10);
        for (String term : steps.get(0).keySet()) {
            out.put(term + "_first", steps.get(0).get(term));
            double sum = 0;
            for (int s = applied - tail; s < applied; s++) {
                sum += steps.get(s).get(term);
            }
            out.put(term + "_last", sum / tail);
        }
        return out;
    }
}
