package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

/**
 * The Spark half of the leaderboard: pillar rows (long: one per checkpoint × pillar × metric) become one wide row
 * per (defence, checkpoint_id), with the ordering metric's seeds, spread and interval alongside. Everything after
 * this is a handful of rows and stays in plain Java.
 */
final class PillarPivot {
    /** Pillars measured under an attack family; stability and trainability rows are kept whatever their family. */
    private static final List<String> ATTACKED = List.of("resistance", "generalisation");

    private PillarPivot() {
    }

    /** A checkpoint's figures: {@code values} maps column keys to values, null where the input has none. */
    record Pivoted(String defence, String checkpointId, Map<String, Double> values, Integer nSeeds, Double spread,
            Double ciLow, Double ciHigh, Boolean higherIsBetter) {
    }

    /**
     * The rows that feed the table, keyed {@code <pillar>.<metric>}, one per (defence, checkpoint, key). Duplicates
     * (stability under two families, a checkpoint measured on two tracks) keep the first by attack family then
     * track, so the choice is the same on every run instead of whatever row Spark meets first.
     */
    static Dataset<Row> scoped(Dataset<Row> pillars, String attackFamily) {
        Column attacked = col("pillar").isin(ATTACKED.toArray());
        Column inScope = attacked.and(col("attack_family").equalTo(attackFamily)).or(not(attacked));
        WindowSpec perKey = Window.partitionBy("defence", "checkpoint_id", "pillar", "metric")
                .orderBy("attack_family", "track");
        return pillars.filter(inScope)
                .withColumn("key", concat_ws(".", col("pillar"), col("metric")))
                .withColumn("pick", row_number().over(perKey))
                .filter(col("pick").equalTo(1))
                .drop("pick");
    }

    /** The distinct keys in scope (which t_break φ levels exist, whether the ordering metric does). */
    static List<String> presentKeys(Dataset<Row> scoped) {
        return scoped.select("key").distinct().collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
    }

    /**
     * One row per (defence, checkpoint_id). The pivot is given its values explicitly, so a key missing from the
     * input still becomes a (null) column rather than an error, and Spark skips the extra pass to find them.
     */
    static List<Pivoted> pivot(Dataset<Row> scoped, List<String> keys, String orderKey) {
        Dataset<Row> wide = scoped.groupBy("defence", "checkpoint_id")
                .pivot("key", new ArrayList<Object>(keys))
                .agg(first("value"));
        Dataset<Row> order = scoped.filter(col("key").equalTo(orderKey)).select(col("defence"),
                col("checkpoint_id"), col("n_seeds").as("order_n_seeds"), col("spread").as("order_spread"),
                col("ci_low").as("order_ci_low"), col("ci_high").as("order_ci_high"),
                col("higher_is_better").as("order_higher_is_better"));
        List<Row> rows = wide.join(order, new String[] {"defence", "checkpoint_id"}, "left").collectAsList();
        List<Pivoted> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String key : keys) {
                values.put(key, doubleOrNull(r, key));
            }
            int nSeeds = r.fieldIndex("order_n_seeds");
            int hib = r.fieldIndex("order_higher_is_better");
            out.add(new Pivoted(r.getAs("defence"), r.getAs("checkpoint_id"), values,
                    r.isNullAt(nSeeds) ? null : r.getInt(nSeeds), doubleOrNull(r, "order_spread"),
                    doubleOrNull(r, "order_ci_low"), doubleOrNull(r, "order_ci_high"),
                    r.isNullAt(hib) ? null : r.getBoolean(hib)));
        }
        return out;
    }

    private static Double doubleOrNull(Row r, String column) {
        int at = r.fieldIndex(column);
        return r.isNullAt(at) ? null : r.getDouble(at);
    }
}
