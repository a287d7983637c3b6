package org.immunobench.curation.curate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.accounting.StageCounts;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.readers.SparkSources;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.ValidationLimits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * Stage 1, read + validate: every source through its adapter ({@link SparkSources}, {@link CorpusSource}); each
 * source row becomes exactly one outcome — kept (normalised, with its content-hash id: that is stage 2, done per row
 * by {@code RowValidator} because "empty after normalisation" is itself a validation result), quarantined with a
 * reason, or dropped with a reason (blank lines). The outcomes are materialised once, in one frame, so the sources
 * are read once.
 */
public final class ReadStage {
    public static final String STAGE = "read";
    static final String KEPT = "kept";
    static final String QUARANTINED = "quarantined";
    static final String DROPPED = "dropped";

    /** Corpus columns (all nullable here) plus the outcome and, for rows not kept, the raw excerpt and reason. */
    static final StructType OUTCOMES = outcomes();

    /**
     * @param kept corpus rows, {@link CorpusSchema#CORPUS} columns
     * @param quarantine {@link CorpusSchema#QUARANTINE} columns
     * @param dropped {@link DroppedRows#SCHEMA} columns, id null
     */
    public record Result(Dataset<Row> kept, Dataset<Row> quarantine, Dataset<Row> dropped, StageCounts counts) {
    }

    private ReadStage() {
    }

    public static Result run(SparkSession spark, List<SourceConfig> sources, ValidationLimits limits) {
        List<JavaRDD<Parsed>> parts = new ArrayList<>();
        for (SourceConfig s : sources) {
            parts.add(s.isCorpus() ? CorpusSource.read(spark, s, limits)
                    : SparkSources.read(spark, s.spec(), s.context(limits, null), s.mapping()));
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        @SuppressWarnings("unchecked")
        JavaRDD<Parsed> all = parts.size() == 1 ? parts.get(0) : sc.union(parts.toArray(new JavaRDD[0]));
        Dataset<Row> outcomes = Checkpoints.cut(spark.createDataFrame(all.map(ReadStage::toRow), OUTCOMES));

        Map<String, Long> rowsIn = new TreeMap<>();
        Map<String, Long> kept = new TreeMap<>();
        Map<String, Long> quarantined = new TreeMap<>();
        Map<String, Map<String, Long>> dropped = new TreeMap<>();
        Column reason = when(col("outcome").equalTo(DROPPED), DroppedRows.category(col("reason")));
        for (Row r : outcomes.groupBy(col("source"), col("outcome"), reason.as("category")).count().collectAsList()) {
            String source = r.getString(0);
            long n = r.getLong(3);
            rowsIn.merge(source, n, Long::sum);
            switch (r.getString(1)) {
                case KEPT -> kept.merge(source, n, Long::sum);
                case QUARANTINED -> quarantined.merge(source, n, Long::sum);
                default -> dropped.computeIfAbsent(source, k -> new TreeMap<>()).merge(r.getString(2), n, Long::sum);
            }
        }
        StageCounts counts = StageTally.counts(STAGE, sources.stream().map(SourceConfig::name).toList(), rowsIn, kept,
                quarantined, dropped);

        Column[] corpus = Arrays.stream(CorpusSchema.CORPUS.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
        Column[] quarantine = Arrays.stream(CorpusSchema.QUARANTINE.fieldNames()).map(c -> col(c))
                .toArray(Column[]::new);
        return new Result(outcomes.filter(col("outcome").equalTo(KEPT)).select(corpus),
                outcomes.filter(col("outcome").equalTo(QUARANTINED)).select(quarantine),
                DroppedRows.of(outcomes.filter(col("outcome").equalTo(DROPPED)), "reason", STAGE), counts);
    }

    static Row toRow(Parsed p) {
        Object[] v = new Object[OUTCOMES.size()];
        if (p instanceof Parsed.Kept k) {
            Row r = CorpusSchema.toRow(k.row());
            v[0] = KEPT;
            for (int i = 0; i < r.length(); i++) {
                v[i + 1] = r.get(i);
            }
        } else if (p instanceof Parsed.Quarantined q) {
            QuarantineRow r = q.row();
            v[0] = QUARANTINED;
            v[2] = r.source();
            v[3] = r.sourceRow();
            v[v.length - 2] = r.raw();
            v[v.length - 1] = r.reason();
        } else {
            Parsed.Dropped d = (Parsed.Dropped) p;
            v[0] = DROPPED;
            v[2] = d.source();
            v[3] = d.sourceRow();
            v[v.length - 2] = "";
            v[v.length - 1] = d.reason();
        }
        return RowFactory.create(v);
    }

    private static StructType outcomes() {
        StructType s = new StructType().add("outcome", DataTypes.StringType, false);
        for (StructField f : CorpusSchema.CORPUS.fields()) {
            s = s.add(f.name(), f.dataType(), true);
        }
        return s.add("raw", DataTypes.StringType, true).add("reason", DataTypes.StringType, true);
    }
}
