package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the metric rows of one task for the pillar tests: {@code task("t1").on("c1", "p0", "vaccine")
 * .config("A").seed(1).curve("harmful_rate", steps(0, 8), 0.1, 0.4)}. Defaults: run r0, track open_weight, attack
 * harmful_sft, pillar resistance, judge toyworld_oracle, n 100.
 */
final class MetricRows {
    private String taskId;
    private String checkpointId = "c1";
    private String parentId = "p0";
    private String defence = "vaccine";
    private String track = "open_weight";
    private String attack = "harmful_sft";
    private String config = "{\"lr\":0.001}";
    private long seed = 1;
    private String pillar = "resistance";
    private String judge = "toyworld_oracle";
    private long n = 100;
    private boolean higherIsBetter;

    static MetricRows task(String taskId) {
        MetricRows b = new MetricRows();
        b.taskId = taskId;
        return b;
    }

    static int[] steps(int... steps) {
        return steps;
    }

    MetricRows on(String checkpoint, String parent, String defenceName) {
        checkpointId = checkpoint;
        parentId = parent;
        defence = defenceName;
        return this;
    }

    MetricRows track(String t) {
        track = t;
        return this;
    }

    MetricRows config(String json) {
        config = json;
        return this;
    }

    MetricRows seed(long s) {
        seed = s;
        return this;
    }

    MetricRows pillar(String p) {
        pillar = p;
        return this;
    }

    MetricRows attack(String a) {
        attack = a;
        return this;
    }

    MetricRows judge(String j) {
        judge = j;
        return this;
    }

    MetricRows n(long count) {
        n = count;
        return this;
    }

    MetricRows higherIsBetter(boolean hib) {
        higherIsBetter = hib;
        return this;
    }

    MetricRow at(int step, String metric, double value) {
        return new MetricRow("r0", taskId, checkpointId, parentId, defence, track, attack, config, "attack", seed,
                step, pillar, metric, value, n, judge, higherIsBetter, "2025-01-01T00:00:00Z", "test");
    }

    List<MetricRow> curve(String metric, int[] steps, double... values) {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("steps and values differ in length");
        }
        List<MetricRow> rows = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            rows.add(at(steps[i], metric, values[i]));
        }
        return rows;
    }

    /** The single output row of (checkpoint, pillar, metric); fails if there is none or several. */
    static PillarRow only(List<PillarRow> rows, String checkpoint, String pillar, String metric) {
        List<PillarRow> hits = rows.stream().filter(r -> r.checkpointId().equals(checkpoint)
                && r.pillar().equals(pillar) && r.metric().equals(metric)).toList();
        if (hits.size() != 1) {
            throw new AssertionError(hits.size() + " rows for " + checkpoint + "/" + pillar + "/" + metric + " in "
                    + rows);
        }
        return hits.get(0);
    }

    static Optional<PillarRow> find(List<PillarRow> rows, String checkpoint, String pillar, String metric) {
        return rows.stream().filter(r -> r.checkpointId().equals(checkpoint) && r.pillar().equals(pillar)
                && r.metric().equals(metric)).findFirst();
    }

    @SafeVarargs
    static List<MetricRow> concat(List<MetricRow>... parts) {
        List<MetricRow> all = new ArrayList<>();
        for (List<MetricRow> p : parts) {
            all.addAll(p);
        }
        return all;
    }
}
