package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * Exact-duplicate removal by {@code id}, the content hash of prompt and response (curate stage 3a). Of the rows
 * sharing an id the first by (source, source_row) is kept (then split, domain, kind, so the choice is total); the
 * others are dropped with reason {@code exact_duplicate_of:<id>} and jaccard 1.0.
 *
 * <p>Only ids are shuffled to find the repeated ones; the ranking window runs on the rows carrying a repeated id,
 * so a corpus with few duplicates never shuffles its texts. kept + dropped = input, always.
 */
public final class ExactDuplicates {
    private static final String JOB = "exact_duplicates";

    /** Kept rows (input shape) and dropped rows ({@link Dropped} shape); both lazy. */
    public record Result(Dataset<Row> kept, Dataset<Row> dropped) {
    }

    private ExactDuplicates() {
    }

    public static Result run(Dataset<Row> rows) {
        BandedCandidates.requireColumns(rows.schema(), JOB, List.of("id", "source", "source_row", "split", "domain",
                "kind"), List.of(DataTypes.StringType, DataTypes.StringType, DataTypes.LongType, DataTypes.StringType,
                DataTypes.StringType, DataTypes.StringType));
        Dataset<Row> repeated = rows.groupBy(col("id").as("dup_id")).agg(count(lit(1)).as("n"))
                .filter(col("n").gt(1))
                .select("dup_id");
        Dataset<Row> unique = rows.join(repeated, rows.col("id").equalTo(repeated.col("dup_id")), "left_anti");
        Dataset<Row> ranked = rows.join(repeated, rows.col("id").equalTo(repeated.col("dup_id")), "left_semi")
                .withColumn("_rank", row_number().over(Window.partitionBy("id")
                        .orderBy("source", "source_row", "split", "domain", "kind")));
        Dataset<Row> first = ranked.filter(col("_rank").equalTo(1)).drop("_rank");
        Dataset<Row> dropped = ranked.filter(col("_rank").gt(1)).drop("_rank")
                .withColumn(Dropped.REASON, concat(lit(Dropped.EXACT_DUPLICATE_OF), col("id")))
                .withColumn(Dropped.JACCARD, lit(1.0));
        return new Result(unique.unionByName(first), dropped);
    }
}
