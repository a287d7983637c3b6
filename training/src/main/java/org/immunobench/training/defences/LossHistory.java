package org.immunobench.training.defences;

import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named loss terms of every update of a training defence, and the figures a defence reports from them: each
 * term averaged over the last tenth of the run (one update's value is too noisy to compare checkpoints by), plus
 * the run's final loss.
 */
final class LossHistory {
    private final List<Map<String, Double>> steps = new ArrayList<>();

    /** Records {@code loss} and returns it, so an objective can end with {@code return history.add(...)}. */
    StepLoss add(StepLoss loss) {
        steps.add(loss.parts());
        return loss;
    }

    /**
     * {@code prefix + term} → mean over the last max(1, n/10) recorded updates, {@code final_loss} and
     * {@code steps_run}, in that order after {@code fixed} (the defence's own figures: data counts, config echoes).
     */
    Map<String, Double> metrics(String prefix, TrainingResult result, Map<String, Double> fixed) {
        Map<String, Double> out = new LinkedHashMap<>(fixed);
        int n = steps.size();
        int tail = Math.max(1, n / 10);
        Map<String, Double> sums = new LinkedHashMap<>();
        for (Map<String, Double> parts : steps.subList(Math.max(0, n - tail), n)) {
            parts.forEach((k, v) -> sums.merge(k, v, Double::sum));
        }
        int counted = Math.min(tail, n);
        sums.forEach((k, v) -> out.put(prefix + k, v / counted));
        out.put("final_loss", result.finalLoss());
        out.put("steps_run", (double) result.steps());
        return out;
    }
}
