package org.immunobench.training.defences;

import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named loss terms of every update of a training defence, and the figures a defence reports from them. A single
 * update's value is too noisy to compare checkpoints by (toy batch sizes), so every figure is a mean over the last
 * tenth of the run (at least its last update); the three reports differ only in which updates form that tenth and
 * how the figures are named:
 * <ul>
 *   <li>{@link #metrics}: the last tenth of the recorded updates, {@code prefix + term}, then {@code final_loss} and
 *       {@code steps_run};</li>
 *   <li>{@link #firstAndLast}: the last tenth of the updates the trainer applied, {@code <term>_last}, beside each
 *       term's first value {@code <term>_first} (the meta-learning defences);</li>
 *   <li>{@link #tailMeans}: the updates numbered in the last tenth of the configured steps, {@code <term>_tail}.</li>
 * </ul>
 */
final class LossHistory {
    private final List<Integer> stepNumbers = new ArrayList<>();
    private final List<Map<String, Double>> steps = new ArrayList<>();

    /** Records {@code loss}'s terms and returns it, so an objective can end with {@code return history.add(...)}. */
    StepLoss add(StepLoss loss) {
        add(steps.size() + 1, loss.parts());
        return loss;
    }

    /** Records {@code parts} (copied) as the next update's terms. */
    void add(Map<String, Double> parts) {
        add(steps.size() + 1, parts);
    }

    /** Records {@code parts} (copied) as the terms of update {@code step} (from 1). */
    void add(int step, Map<String, Double> parts) {
        stepNumbers.add(step);
        steps.add(new LinkedHashMap<>(parts));
    }

    /**
     * {@code prefix + term} → mean over the last max(1, n/10) recorded updates, {@code final_loss} and
     * {@code steps_run}, in that order after {@code fixed} (the defence's own figures: data counts, config echoes).
     */
    Map<String, Double> metrics(String prefix, TrainingResult result, Map<String, Double> fixed) {
        Map<String, Double> out = new LinkedHashMap<>(fixed);
        int n = steps.size();
        means(steps.subList(Math.max(0, n - Math.max(1, n / 10)), n)).forEach((k, v) -> out.put(prefix + k, v));
        out.put("final_loss", result.finalLoss());
        out.put("steps_run", (double) result.steps());
        return out;
    }

    /**
     * {@code final_loss}, {@code tokens_per_second}, then for every term {@code <term>_first} (the first update) and
     * {@code <term>_last} (mean over the last tenth of the updates the trainer applied: {@code result.steps()} of
     * them, a refused update is dropped).
     */
    Map<String, Double> firstAndLast(TrainingResult result) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("final_loss", result.finalLoss());
        out.put("tokens_per_second", result.tokensPerSecond());
        int applied = Math.min(result.steps(), steps.size());
        if (applied == 0) {
            return out;
        }
        Map<String, Double> last = means(steps.subList(applied - Math.max(1, applied / 10), applied));
        for (String term : steps.get(0).keySet()) {
            out.put(term + "_first", steps.get(0).get(term));
            out.put(term + "_last", last.get(term));
        }
        return out;
    }

    /**
     * {@code <term>_tail} → mean over the updates numbered in the last tenth of {@code maxSteps} (at least the last),
     * in the order the terms first appeared.
     */
    Map<String, Double> tailMeans(int maxSteps) {
        int after = maxSteps - Math.max(1, maxSteps / 10);
        List<Map<String, Double>> window = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (stepNumbers.get(i) > after) {
                window.add(steps.get(i));
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        means(window).forEach((k, v) -> out.put(k + "_tail", v));
        return out;
    }

    /** Each term's mean over the updates of {@code window} that have it, in the order the terms first appear. */
    private static Map<String, Double> means(List<Map<String, Double>> window) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Map<String, Double> parts : window) {
            parts.forEach((k, v) -> {
                double[] s = sums.computeIfAbsent(k, x -> new double[2]);
                s[0] += v;
                s[1]++;
            });
        }
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
        return out;
    }
}
