package org.immunobench.evaluation.metrics;

import org.immunobench.evaluation.judge.AnswerChecker;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Exact-answer accuracy per benign task, and the macro average over tasks. */
public record BenignAccuracy(Map<String, Double> perTask, Map<String, Integer> n) {
    public static BenignAccuracy of(List<String> tasks, List<String> prompts, List<String> completions,
            AnswerChecker checker) {
        Map<String, int[]> counts = new TreeMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            int[] c = counts.computeIfAbsent(tasks.get(i), k -> new int[2]);
            c[0] += checker.isCorrect(tasks.get(i), prompts.get(i), completions.get(i)) ? 1 : 0;
            c[1]++;
        }
        Map<String, Double> acc = new TreeMap<>();
        Map<String, Integer> n = new TreeMap<>();
        counts.forEach((task, c) -> {
            acc.put(task, c[0] / (double) c[1]);
            n.put(task, c[1]);
        });
        return new BenignAccuracy(acc, n);
    }

    /** Mean over tasks (each task weighs the same), NaN when there are none. */
    public double macroAverage() {
        return perTask.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Macro average over the given tasks only. */
    public double macroAverage(List<String> tasks) {
        return tasks.stream().filter(perTask::containsKey).mapToDouble(perTask::get).average().orElse(Double.NaN);
    }
}
