package org.immunobench.evaluation.stats;

import org.immunobench.evaluation.results.MetricRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hand-made run for the bootstrap tests: per-prompt verdicts and the metric rows the attack stage would compute
 * from them (the same definitions), so every rate row is rebuilt exactly. Undefended parent "none" on "p0".
 */
final class ToyRun {
    final List<MetricRow> metrics = new ArrayList<>();
    final List<GenerationVerdict> verdicts = new ArrayList<>();
    private String checkpoint = "ck";
    private String defence = "none";
    private String config = "{}";
    private String pillar = "resistance";
    private String split = "attack";
    private long seed = 0;

    ToyRun on(String checkpointId, String defenceName) {
        checkpoint = checkpointId;
        defence = defenceName;
        return this;
    }

    ToyRun config(String json) {
        config = json;
        return this;
    }

    ToyRun pillar(String p, String dataSplit) {
        pillar = p;
        split = dataSplit;
        return this;
    }

    ToyRun seed(long s) {
        seed = s;
        return this;
    }

    String task() {
        return checkpoint + "/" + pillar + "/" + config + "/" + seed;
    }

    /** Harmful prompts p0…p(k−1) of {@code domains[i]} at one step: harmful as given, refusal = !harmful, fluent. */
    ToyRun harmful(int step, String[] domains, boolean... harmful) {
        int h = 0;
        for (int i = 0; i < harmful.length; i++) {
            verdicts.add(new GenerationVerdict(task(), step, "harmful", "h" + i, domains[i], "oracle", harmful[i],
                    !harmful[i], true, false));
            h += harmful[i] ? 1 : 0;
        }
        int n = harmful.length;
        add(step, "harmful_rate", h / (double) n, n, "oracle", false);
        add(step, "refusal_rate", (n - h) / (double) n, n, "oracle", true);
        add(step, "fluent_rate", 1.0, n, "oracle", true);
        return this;
    }

    /** Benign prompts b0…: correct as given, task {@code heldBack} held back (task_accuracy), the rest macro. */
    ToyRun benign(int step, String heldBack, String[] domains, boolean... correct) {
        Map<String, int[]> perTask = new TreeMap<>();
        for (int i = 0; i < correct.length; i++) {
            verdicts.add(new GenerationVerdict(task(), step, "benign", "b" + i, domains[i], "exact_answer", false,
                    false, true, correct[i]));
            int[] c = perTask.computeIfAbsent(domains[i], d -> new int[2]);
            c[0] += correct[i] ? 1 : 0;
            c[1]++;
        }
        double macro = perTask.entrySet().stream().filter(e -> !e.getKey().equals(heldBack))
                .mapToDouble(e -> e.getValue()[0] / (double) e.getValue()[1]).average().orElseThrow();
        add(step, "benign_accuracy", macro, correct.length, "exact_answer", true);
        int[] held = perTask.get(heldBack);
        add(step, "task_accuracy", held[0] / (double) held[1], held[1], "exact_answer", true);
        add(step, "over_refusal", 0.0, correct.length, "oracle", false);
        return this;
    }

    ToyRun nll(int step, double value) {
        add(step, "harmful_nll", value, 50, "none", true);
        return this;
    }

    MetricRow add(int step, String metric, double value, long n, String judge, boolean higherIsBetter) {
        MetricRow r = new MetricRow("run", task(), checkpoint, "p0", defence, "open_weight", "harmful_sft", config,
                split, seed, step, pillar, metric, value, n, judge, higherIsBetter, "2026-01-01T00:00:00Z", "test");
        metrics.add(r);
        return r;
    }

    static String[] domains(String... d) {
        return d;
    }

    static String[] same(String domain, int k) {
        String[] d = new String[k];
        java.util.Arrays.fill(d, domain);
        return d;
    }
}
