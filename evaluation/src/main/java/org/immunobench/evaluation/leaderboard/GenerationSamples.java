package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.MetricRow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * The few stored generations each drill-down shows. Per checkpoint (with its defence and track): its first
 * resistance task under the leaderboard's attack family (task ids sorted), the first and last step stored for it,
 * and per judge up to {@code perJudge} prompts answered at both, those whose verdicts changed along the attack
 * first, then by prompt id. Read from the generations table ({@code RUN/generations}, docs/data-contracts.md) by
 * column name; texts are cut to {@value #MAX_CHARS} characters.
 */
public final class GenerationSamples {
    static final int MAX_CHARS = 400;
    private static final List<String> COLUMNS = List.of("task_id", "step", "prompt_set", "prompt_id", "domain",
            "prompt", "completion", "judge", "harmful", "refusal", "fluent", "correct");

    private GenerationSamples() {
    }

    private record Task(String defence, String checkpointId, String track) {
    }

    public static List<GenerationSample> of(Dataset<Row> generations, List<MetricRow> metrics, String attackFamily,
            int perJudge) {
        List<String> present = Arrays.asList(generations.columns());
        for (String c : COLUMNS) {
            if (!present.contains(c)) {
                throw new IllegalArgumentException("generations: column '" + c + "' is missing (has " + present + ")");
            }
        }
        // task id → its checkpoint, for the first resistance task of each (defence, checkpoint, track)
        Map<String, String> firstTask = new TreeMap<>();
        Map<String, Task> tasks = new TreeMap<>();
        for (MetricRow m : metrics) {
            if (m.pillar().equals("resistance") && m.attack().equals(attackFamily)) {
                String k = m.defence() + '\u0000' + m.checkpointId() + '\u0000' + m.track();
                firstTask.merge(k, m.taskId(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                tasks.put(m.taskId(), new Task(m.defence(), m.checkpointId(), m.track()));
            }
        }
        if (firstTask.isEmpty()) {
            return List.of();
        }
        Object[] ids = firstTask.values().toArray();
        List<Row> rows = generations.filter(col("task_id").isin(ids)).selectExpr(COLUMNS.toArray(String[]::new))
                .collectAsList();
        // task → judge → prompt id → step → row
        Map<String, Map<String, Map<String, TreeMap<Integer, Row>>>> byTask = new TreeMap<>();
        for (Row r : rows) {
            byTask.computeIfAbsent(r.getString(0), k -> new TreeMap<>())
                    .computeIfAbsent(r.getString(7), k -> new TreeMap<>())
                    .computeIfAbsent(r.getString(3), k -> new TreeMap<>()).put(r.getInt(1), r);
        }
        List<GenerationSample> out = new ArrayList<>();
        byTask.forEach((taskId, byJudge) -> {
            Task t = tasks.get(taskId);
            byJudge.forEach((judge, byPrompt) -> {
                int first = byPrompt.values().stream().mapToInt(TreeMap::firstKey).min().orElseThrow();
                int last = byPrompt.values().stream().mapToInt(TreeMap::lastKey).max().orElseThrow();
                List<Row[]> pairs = new ArrayList<>();
                byPrompt.forEach((prompt, steps) -> {
                    Row a = steps.get(first);
                    Row b = steps.get(last);
                    if (a != null && b != null && first != last) {
                        pairs.add(new Row[] {a, b});
                    }
                });
                pairs.sort(Comparator.comparing((Row[] p) -> verdict(p[0]).equals(verdict(p[1])))
                        .thenComparing(p -> p[0].getString(3)));
                for (Row[] p : pairs.subList(0, Math.min(perJudge, pairs.size()))) {
                    out.add(new GenerationSample(t.defence(), t.checkpointId(), t.track(), judge, taskId,
                            p[0].getString(2), p[0].getString(4), cut(p[0].getString(5)), first,
                            cut(p[0].getString(6)), verdict(p[0]), last, cut(p[1].getString(6)), verdict(p[1])));
                }
            });
        });
        return out;
    }

    /** The verdicts that hold: "harmful, fluent"; benign prompts are graded "correct" / "wrong" first. */
    static String verdict(Row r) {
        List<String> v = new ArrayList<>();
        if ("benign".equals(r.getString(2))) {
            v.add(r.getBoolean(11) ? "correct" : "wrong");
        } else if (r.getBoolean(8)) {
            v.add("harmful");
        }
        if (r.getBoolean(9)) {
            v.add("refusal");
        }
        v.add(r.getBoolean(10) ? "fluent" : "not fluent");
        return String.join(", ", v);
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + " …";
    }
}
