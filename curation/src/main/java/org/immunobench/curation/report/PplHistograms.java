package org.immunobench.curation.report;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.GroupPercentiles;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.udf;

/** The per-source {@link PplHistogram}s of scored rows, from two small aggregations: only counts reach the driver. */
public final class PplHistograms {
    public static final int DEFAULT_BINS = 40;
    private static final String NO_BUCKET = "(none)";

    private PplHistograms() {
    }

    /**
     * @param rows rows with source, domain, ppl and ppl_bucket; rows without ppl are left out
     * @param groups the bucketing percentiles, for the cut-off lines (groups under min_group_rows have none)
     */
    public static List<PplHistogram> of(Dataset<Row> rows, BucketScheme scheme, List<GroupPercentiles> groups,
            int bins) {
        Dataset<Row> scored = rows.filter(col("ppl").isNotNull().and(col("ppl").gt(0)));
        Map<String, LogBins> binsBySource = new HashMap<>();
        Map<String, long[]> sizes = new LinkedHashMap<>();
        for (Row r : scored.groupBy("source").agg(min("ppl"), max("ppl"), count(lit(1)), countDistinct(col("domain")))
                .orderBy("source").collectAsList()) {
            binsBySource.put(r.getString(0), new LogBins(r.getDouble(1), r.getDouble(2), bins));
            sizes.put(r.getString(0), new long[]{r.getLong(3), r.getLong(4)});
        }
        UserDefinedFunction bin = udf((UDF2<String, Double, Integer>) (s, p) -> binsBySource.get(s).index(p),
                DataTypes.IntegerType);
        Map<String, Map<String, long[]>> counts = new HashMap<>();
        for (Row r : scored.groupBy(col("source"), coalesce(col("ppl_bucket"), lit(NO_BUCKET)).as("bucket"),
                bin.apply(col("source"), col("ppl")).as("bin")).count().collectAsList()) {
            counts.computeIfAbsent(r.getString(0), k -> new HashMap<>())
                    .computeIfAbsent(r.getString(1), k -> new long[bins])[r.getInt(2)] += r.getLong(3);
        }
        List<String> order = new ArrayList<>(scheme.labels());
        order.add(BucketScheme.SMALL_GROUP);
        order.add(NO_BUCKET);
        List<PplHistogram> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : sizes.entrySet()) {
            String source = e.getKey();
            Map<String, long[]> bySource = counts.getOrDefault(source, Map.of());
            Map<String, long[]> ordered = new LinkedHashMap<>();
            for (String label : order) {
                if (bySource.containsKey(label)) {
                    ordered.put(label, bySource.get(label));
                }
            }
            List<PplHistogram.CutoffLine> lines = new ArrayList<>();
            for (GroupPercentiles g : groups) {
                if (g.source().equals(source) && g.n() >= scheme.minGroupRows()) {
                    for (int i = 0; i < scheme.cutoffs().size(); i++) {
                        double p = scheme.cutoffs().get(i);
                        lines.add(new PplHistogram.CutoffLine(i, p, g.at(p), g.domain()));
                    }
                }
            }
            out.add(new PplHistogram(source, e.getValue()[0], (int) e.getValue()[1], binsBySource.get(source),
                    ordered, lines));
        }
        return out;
    }
}
