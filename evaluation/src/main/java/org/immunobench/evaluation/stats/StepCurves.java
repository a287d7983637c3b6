package org.immunobench.evaluation.stats;

import org.immunobench.evaluation.results.MetricRow;

import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Metric curves against attack steps, the data of the leaderboard's figures: per checkpoint, pillar, attack,
 * metric and judge, the mean of the metric rows' values at each step over every attack config and seed
 * ({@link #ALL_CONFIGS}), and for the harmful rate also per attack config (mean over its seeds). Pure, so that the
 * bootstrap can compute the same curves on each replicate and give every point a band.
 */
public final class StepCurves {
    /** The config of the curves averaged over all attack configs. */
    public static final String ALL_CONFIGS = "*";
    /** Metrics with curves. */
    public static final Set<String> METRICS = Set.of("harmful_rate", "refusal_rate", "fluent_rate", "over_refusal",
            "benign_accuracy", "task_accuracy", "harmful_nll");
    private static final String PER_CONFIG_METRIC = "harmful_rate";

    private StepCurves() {
    }

    /** Which curve. */
    public record Key(String track, String defence, String checkpointId, String parentId, String pillar, String attack,
            String config, String metric, String judge) implements Comparable<Key>, Serializable {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::track).thenComparing(Key::defence)
                .thenComparing(Key::checkpointId).thenComparing(Key::parentId).thenComparing(Key::pillar)
                .thenComparing(Key::attack).thenComparing(Key::config).thenComparing(Key::metric)
                .thenComparing(Key::judge);

        @Override
        public int compareTo(Key o) {
            return ORDER.compare(this, o);
        }
    }

    /**
     * A point of a curve with its band.
     *
     * @param mean the mean over configs and seeds
     * @param low lower end of its 95% bootstrap band (NaN: no band)
     * @param high upper end
     */
    public record Point(double mean, double low, double high) implements Serializable {
        public boolean hasBand() {
            return !Double.isNaN(low) && !Double.isNaN(high);
        }
    }

    /** The curves of these rows, keys and steps sorted. Rows of other metrics are skipped. */
    public static SortedMap<Key, SortedMap<Integer, Double>> of(List<MetricRow> rows) {
        Map<Key, Map<Integer, double[]>> acc = new HashMap<>();
        for (MetricRow r : rows) {
            if (!METRICS.contains(r.metric())) {
                continue;
            }
            add(acc, key(r, ALL_CONFIGS), r);
            if (r.metric().equals(PER_CONFIG_METRIC)) {
                add(acc, key(r, r.attackConfigJson()), r);
            }
        }
        SortedMap<Key, SortedMap<Integer, Double>> out = new TreeMap<>();
        acc.forEach((k, steps) -> {
            SortedMap<Integer, Double> curve = new TreeMap<>();
            steps.forEach((step, sumCount) -> curve.put(step, sumCount[0] / sumCount[1]));
            out.put(k, curve);
        });
        return out;
    }

    /** The curves without bands. */
    public static SortedMap<Key, SortedMap<Integer, Point>> withoutBands(List<MetricRow> rows) {
        SortedMap<Key, SortedMap<Integer, Point>> out = new TreeMap<>();
        of(rows).forEach((k, curve) -> {
            SortedMap<Integer, Point> c = new TreeMap<>();
            curve.forEach((step, v) -> c.put(step, new Point(v, Double.NaN, Double.NaN)));
            out.put(k, c);
        });
        return out;
    }

    private static Key key(MetricRow r, String config) {
        return new Key(r.track(), r.defence(), r.checkpointId(), r.parentId(), r.pillar(), r.attack(), config,
                r.metric(), r.judge());
    }

    private static void add(Map<Key, Map<Integer, double[]>> acc, Key k, MetricRow r) {
        double[] sc = acc.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(r.step(), s -> new double[2]);
        sc[0] += r.value();
        sc[1]++;
    }
}
