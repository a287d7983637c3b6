package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.SortedMap;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

/**
 * The data of the field's classic figure: harmful rate against attack steps, per defence. Read from the metric rows
 * ({@link org.immunobench.evaluation.results.MetricRow} schema) because pillars summarise the curve away.
 */
final class HarmCurves {
    private HarmCurves() {
    }

    /** The open-weight table's curves: {@link #of(Dataset, String, String)} of open_weight. */
    static SortedMap<String, SortedMap<Integer, Double>> of(Dataset<Row> metrics, String attackFamily) {
        return of(metrics, attackFamily, org.immunobench.evaluation.results.Tracks.OPEN_WEIGHT);
    }

    /**
     * Mean resistance {@code harmful_rate} per checkpoint and step, over every attack config and seed under
     * {@code attackFamily}: label → step → rate, both sorted. Labels are the table's: the defence name, with the
     * checkpoint id's first characters when a defence made several checkpoints (two LoX configs are two curves).
     * Only the rows of {@code track}'s table count ({@link TrackScope}).
     */
    static SortedMap<String, SortedMap<Integer, Double>> of(Dataset<Row> metrics, String attackFamily, String track) {
        java.util.List<Row> rows = metrics.filter(TrackScope.of(metrics, track))
                .filter(col("pillar").equalTo("resistance")
                        .and(col("metric").equalTo("harmful_rate"))
                        .and(col("attack").equalTo(attackFamily)))
                .groupBy("defence", "checkpoint_id", "step")
                .agg(avg("value").as("harmful_rate"))
                .collectAsList();
        java.util.Map<String, java.util.Set<String>> checkpoints = new TreeMap<>();
        rows.forEach(r -> checkpoints.computeIfAbsent(r.getString(0), d -> new java.util.TreeSet<>())
                .add(r.getString(1)));
        SortedMap<String, SortedMap<Integer, Double>> curves = new TreeMap<>();
        for (Row r : rows) {
            String defence = r.getString(0);
            String checkpoint = r.getString(1);
            String label = checkpoints.get(defence).size() > 1 ? defence + " ("
                    + checkpoint.substring(0, Math.min(RowLabels.ID_CHARS, checkpoint.length())) + ")" : defence;
            curves.computeIfAbsent(label, d -> new TreeMap<>()).put(r.getInt(2), r.getDouble(3));
        }
        return curves;
    }
}
