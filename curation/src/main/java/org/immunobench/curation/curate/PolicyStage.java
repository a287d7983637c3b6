package org.immunobench.curation.curate;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.accounting.StageCounts;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.GroupPercentiles;
import org.immunobench.curation.report.StageReport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Stage 6b: the configured {@link CurationPolicy}s, in order. Each marks the rows it drops with its reason (a row
 * keeps the reason of the first policy that drops it); the marked rows become dropped rows of stage
 * {@value #STAGE}. Percentile policies need perplexities: without a reference model they are skipped and the
 * report says so; {@code balance_domains} runs either way.
 */
public final class PolicyStage {
    public static final String STAGE = "policies";
    private static final String DROP = "_drop";

    /** Kept rows (input columns), dropped rows ({@link DroppedRows#SCHEMA}) and the stage's report. */
    public record Result(Dataset<Row> kept, Dataset<Row> dropped, StageReport report) {
    }

    private PolicyStage() {
    }

    /**
     * @param groups the (source, domain) percentiles of stage 6a, holding every percentile the policies read; null
     *     when nothing was scored
     */
    public static Result run(Dataset<Row> rows, List<String> sources, Map<String, Long> rowsIn,
            List<CurationPolicy> policies, List<GroupPercentiles> groups, BucketScheme scheme, long seed) {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        Dataset<Row> cur = rows.withColumn(DROP, lit(null).cast(DataTypes.StringType));
        boolean changed = false;
        for (CurationPolicy p : policies) {
            if (p.needsPerplexity() && groups == null) {
                notes.add(p.id() + ": skipped, no perplexities (no reference_model)");
                continue;
            }
            if (p instanceof CurationPolicy.BalanceDomains b) {
                cur = Checkpoints.cut(balance(cur, b, seed, notes));
            } else {
                cur = percentile(cur, p, GroupPercentiles.byKey(groups), scheme.minGroupRows());
            }
            changed = true;
        }
        if (policies.isEmpty()) {
            notes.add("no policies configured (config key policies)");
        }
        if (changed) {
            cur = Checkpoints.cut(cur);
        }
        Dataset<Row> kept = cur.filter(col(DROP).isNull()).drop(DROP);
        Dataset<Row> dropped = DroppedRows.of(cur.filter(col(DROP).isNotNull()), DROP, STAGE);
        StageCounts counts = StageTally.counts(STAGE, sources, rowsIn, StageTally.bySource(kept), Map.of(),
                StageTally.droppedBySource(dropped));
        String title = policies.isEmpty() ? "policies: none"
                : "policies: " + String.join(", ", policies.stream().map(CurationPolicy::id).toList());
        return new Result(kept, dropped, new StageReport(title, counts, (System.nanoTime() - t0) / 1e9, notes));
    }

    /**
     * The reason a percentile policy drops a row, or null: rows of other splits, rows without a perplexity, rows
     * already dropped and rows of groups under {@code minGroupRows} are left alone. Pure.
     */
    public static String percentileDropReason(CurationPolicy p, String split, Double ppl, GroupPercentiles g,
            int minGroupRows) {
        if (!p.appliesTo(split) || ppl == null || g == null || g.n() < minGroupRows) {
            return null;
        }
        if (p instanceof CurationPolicy.KeepBand k) {
            return k.dropReason(ppl, g.at(k.lo()), g.at(k.hi()));
        }
        if (p instanceof CurationPolicy.DropTopTail t) {
            return t.dropReason(ppl, g.at(100 - t.percent()));
        }
        throw new IllegalArgumentException(p.id() + " is not a percentile policy");
    }

    private static Dataset<Row> percentile(Dataset<Row> rows, CurationPolicy p,
            Map<List<String>, GroupPercentiles> groups, int minGroupRows) {
        StructType schema = rows.schema();
        int source = schema.fieldIndex("source");
        int domain = schema.fieldIndex("domain");
        int split = schema.fieldIndex("split");
        int ppl = schema.fieldIndex("ppl");
        int drop = schema.fieldIndex(DROP);
        return rows.map((MapFunction<Row, Row>) r -> {
            if (!r.isNullAt(drop) || r.isNullAt(ppl)) {
                return r;
            }
            String reason = percentileDropReason(p, r.getString(split), r.getDouble(ppl),
                    groups.get(List.of(r.getString(source), r.getString(domain))), minGroupRows);
            if (reason == null) {
                return r;
            }
            Object[] v = new Object[r.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            v[drop] = reason;
            return RowFactory.create(v);
        }, Encoders.row(schema));
    }

    /** Keeps at most the split's cap of each (split, domain), choosing rows by a seeded hash of their id. */
    private static Dataset<Row> balance(Dataset<Row> rows, CurationPolicy.BalanceDomains b, long seed,
            List<String> notes) {
        Column eligible = col(DROP).isNull();
        if (!b.splits().isEmpty()) {
            eligible = eligible.and(col("split").isin(b.splits().toArray()));
        }
        Map<String, List<Long>> countsBySplit = new TreeMap<>();
        for (Row r : rows.filter(eligible).groupBy("split", "domain").count().collectAsList()) {
            countsBySplit.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getLong(2));
        }
        List<Row> caps = new ArrayList<>();
        for (Map.Entry<String, List<Long>> e : countsBySplit.entrySet()) {
            long cap = b.cap(e.getValue());
            caps.add(RowFactory.create(e.getKey(), cap));
            notes.add(b.id() + ": split " + e.getKey() + ", " + e.getValue().size() + " domains, cap " + cap
                    + " rows per domain");
        }
        SparkSession spark = rows.sparkSession();
        Dataset<Row> capFrame = spark.createDataFrame(caps, new StructType().add("_split", DataTypes.StringType)
                .add("_cap", DataTypes.LongType));
        UserDefinedFunction reason = udf((UDF1<Long, String>) b::dropReason, DataTypes.StringType);
        Column[] original = Arrays.stream(rows.columns()).map(c -> col(c)).toArray(Column[]::new);
        Column rank = row_number().over(Window.partitionBy(col("split"), col("domain"), eligible)
                .orderBy(xxhash64(lit(seed), col("id")), col("id")));
        Dataset<Row> joined = rows.join(broadcast(capFrame), rows.col("split").equalTo(capFrame.col("_split")),
                "left");
        Column over = eligible.and(col("_cap").isNotNull()).and(rank.gt(col("_cap")));
        original[Arrays.asList(rows.columns()).indexOf(DROP)] = when(over, reason.apply(col("_cap")))
                .otherwise(col(DROP)).as(DROP);
        return joined.select(original);
    }
}
