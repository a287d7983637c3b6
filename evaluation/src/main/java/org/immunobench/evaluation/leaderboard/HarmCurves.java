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

    /**
     * Mean resistance {@code harmful_rate} per defence and step, over every checkpoint, attack config and seed of
     * the defence under {@code attackFamily}: defence → step → rate, both sorted.
     */
    static SortedMap<String, SortedMap<Integer, Double>> of(Dataset<Row> metrics, String attackFamily) {
        SortedMap<String, SortedMap<Integer, Double>> curves = new TreeMap<>();
        metrics.filter(col("pillar").equalTo("resistance")
                        .and(col("metric").equalTo("harmful_rate"))
                        .and(col("attack").equalTo(attackFamily)))
                .groupBy("defence", "step")
                .agg(avg("value").as("harmful_rate"))
                .collectAsList()
                .forEach(r -> curves.computeIfAbsent(r.getString(0), d -> new TreeMap<>())
                        .put(r.getInt(1), r.getDouble(2)));
        return curves;
    }
}
