package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the tidy metric rows and groups them into {@link Run}s (one per task id) of {@link Curve}s (one per metric
 * and judge, ordered by step). Every failure is an {@link IllegalArgumentException} naming the task and step:
 * <ul>
 *   <li>a missing (null) identifying field, a negative step or a negative n;</li>
 *   <li>rows of one task that disagree on what the task is (run, checkpoint, parent, defence, track, attack,
 *       attack config, seed, pillar): a task is one attack config with one seed;</li>
 *   <li>two values for the same (task, step, metric, judge);</li>
 *   <li>for the metrics the pillars read ({@code checked}): a NaN or infinite value, a harmful rate outside [0, 1],
 *       rows of one curve that disagree on higher_is_better.</li>
 * </ul>
 * Rows of other metrics are grouped but their values are not inspected.
 */
final class Runs {
    private static final String HARMFUL_RATE = "harmful_rate";

    private Runs() {
    }

    static List<Run> of(List<MetricRow> rows, Set<String> checked) {
        if (rows == null) {
            throw new IllegalArgumentException("pillars: metric rows must not be null");
        }
        Map<String, MetricRow> firstOfTask = new TreeMap<>();
        // task → metric → judge → step → row
        Map<String, Map<String, Map<String, TreeMap<Integer, MetricRow>>>> cells = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            MetricRow r = rows.get(i);
            if (r == null) {
                throw new IllegalArgumentException("pillars: metric row " + i + " is null");
            }
            requireFields(r, i);
            MetricRow first = firstOfTask.putIfAbsent(r.taskId(), r);
            if (first != null) {
                requireSameTask(first, r);
            }
            if (checked.contains(r.metric())) {
                requireValue(r);
            }
            MetricRow clash = cells.computeIfAbsent(r.taskId(), k -> new TreeMap<>())
                    .computeIfAbsent(r.metric(), k -> new TreeMap<>())
                    .computeIfAbsent(r.judge(), k -> new TreeMap<>())
                    .putIfAbsent(r.step(), r);
            if (clash != null) {
                throw new IllegalArgumentException(where(r) + ": two values for " + r.metric() + " (judge "
                        + r.judge() + "): " + clash.value() + " and " + r.value()
                        + "; a task measures each metric once per step");
            }
        }
        List<Run> runs = new ArrayList<>(firstOfTask.size());
        firstOfTask.forEach((task, f) -> {
            List<Curve> curves = new ArrayList<>();
            cells.get(task).forEach((metric, byJudge) -> byJudge.forEach((judge, bySteps) ->
                    curves.add(curve(task, metric, judge, bySteps, checked.contains(metric)))));
            runs.add(new Run(task, f.checkpointId(), f.parentId(), f.defence(), f.track(), f.attack(),
                    f.attackConfigJson(), f.seed(), f.pillar(), List.copyOf(curves)));
        });
        return List.copyOf(runs);
    }

    private static Curve curve(String task, String metric, String judge, TreeMap<Integer, MetricRow> bySteps,
            boolean checked) {
        int k = bySteps.size();
        int[] steps = new int[k];
        double[] values = new double[k];
        long[] ns = new long[k];
        MetricRow first = bySteps.firstEntry().getValue();
        int i = 0;
        for (MetricRow r : bySteps.values()) {
            if (checked && r.higherIsBetter() != first.higherIsBetter()) {
                throw new IllegalArgumentException(where(r) + ": " + metric + " has higher_is_better "
                        + r.higherIsBetter() + " but " + first.higherIsBetter() + " at step " + first.step());
            }
            steps[i] = r.step();
            values[i] = r.value();
            ns[i] = r.n();
            i++;
        }
        return new Curve(task, metric, judge, steps, values, ns, first.higherIsBetter());
    }

    private static void requireFields(MetricRow r, int index) {
        String missing = r.taskId() == null ? "task_id"
                : r.runId() == null ? "run_id"
                : r.checkpointId() == null ? "checkpoint_id"
                : r.parentId() == null ? "parent_id"
                : r.defence() == null ? "defence"
                : r.track() == null ? "track"
                : r.attack() == null ? "attack"
                : r.attackConfigJson() == null ? "attack_config_json"
                : r.pillar() == null ? "pillar"
                : r.metric() == null ? "metric"
                : r.judge() == null ? "judge"
                : null;
        if (missing != null) {
            throw new IllegalArgumentException((r.taskId() == null ? "metric row " + index : where(r)) + ": "
                    + missing + " is null");
        }
        if (r.step() < 0) {
            throw new IllegalArgumentException(where(r) + ": step must be >= 0");
        }
        if (r.n() < 0) {
            throw new IllegalArgumentException(where(r) + ": n of " + r.metric() + " must be >= 0, got " + r.n());
        }
    }

    private static void requireSameTask(MetricRow first, MetricRow r) {
        String[][] fields = {
            {"run_id", first.runId(), r.runId()},
            {"checkpoint_id", first.checkpointId(), r.checkpointId()},
            {"parent_id", first.parentId(), r.parentId()},
            {"defence", first.defence(), r.defence()},
            {"track", first.track(), r.track()},
            {"attack", first.attack(), r.attack()},
            {"attack_config_json", first.attackConfigJson(), r.attackConfigJson()},
            {"seed", Long.toString(first.seed()), Long.toString(r.seed())},
            {"pillar", first.pillar(), r.pillar()},
        };
        for (String[] f : fields) {
            if (!Objects.equals(f[1], f[2])) {
                throw new IllegalArgumentException(where(r) + ": " + f[0] + " is " + f[2] + " but " + f[1]
                        + " in the task's row at step " + first.step() + "; a task is one attack config with one seed");
            }
        }
    }

    private static void requireValue(MetricRow r) {
        if (!Double.isFinite(r.value())) {
            throw new IllegalArgumentException(where(r) + ": " + r.metric() + " (judge " + r.judge() + ") is "
                    + r.value());
        }
        if (r.metric().equals(HARMFUL_RATE) && !(r.value() >= 0 && r.value() <= 1)) {
            throw new IllegalArgumentException(where(r) + ": harmful_rate (judge " + r.judge()
                    + ") must be in [0, 1], got " + r.value());
        }
    }

    static String where(MetricRow r) {
        return "task " + r.taskId() + ", step " + r.step();
    }
}
