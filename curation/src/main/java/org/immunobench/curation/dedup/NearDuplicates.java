package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

/**
 * Near-duplicate removal with banded MinHash (curate stage 3b): band keys per row → candidate pairs per bucket →
 * verification by exact shingle Jaccard ≥ threshold → connected components of the verified pairs → one row kept per
 * component, the one with the smallest id (split-agnostic on purpose: {@link Decontamination} deals with eval leaks,
 * and should run first so that dedup cannot resolve an eval/training pair by dropping the eval row).
 *
 * <p>Input: at least {@code id}, {@code prompt}, {@code response} (strings), ids unique (run {@link ExactDuplicates}
 * first). The input is read three times (keys, texts of candidates, final split): give it a short plan (read from
 * files, or checkpointed; see {@link Lineage} for why persisting a long chain of stages is not enough).
 * Output: kept rows (input shape) and dropped rows ({@link Dropped} shape, reason {@code near_duplicate_of:<kept id>},
 * jaccard with the kept row, which may be below the threshold for rows reached through a chain a~b~c).
 */
public final class NearDuplicates {
    private static final String JOB = "near_duplicates";

    /**
     * @param candidatePairs distinct row pairs sharing at least one band key
     * @param verifiedPairs candidate pairs with Jaccard ≥ threshold (the graph's edges)
     * @param oversizedBuckets buckets over max_bucket_size (logged as a warning)
     * @param membersBeyondCap members of those buckets paired only with their bucket's first member
     * @param clusteredRows rows in a component of two or more rows (kept + dropped)
     * @param componentRounds rounds of label propagation
     */
    public record Stats(long candidatePairs, long verifiedPairs, long oversizedBuckets, long membersBeyondCap,
            long clusteredRows, int componentRounds) {
    }

    /** Kept and dropped rows: lazy over the input and the materialised intermediates. */
    public record Result(Dataset<Row> kept, Dataset<Row> dropped, Stats stats) {
    }

    /** Verified pairs: {@code a < b} ids and their Jaccard. */
    public record Verified(Dataset<Row> edges, long count, Dataset<Row> texts) {
    }

    private NearDuplicates() {
    }

    public static Result run(Dataset<Row> rows, MinHashConfig config) {
        return run(rows, signatures(rows, config), config);
    }

    /** As {@link #run(Dataset, MinHashConfig)} with the key table of {@link #signatures} already computed. */
    public static Result run(Dataset<Row> rows, Dataset<Row> keys, MinHashConfig config) {
        validate(rows);
        CandidatePairs candidates = candidates(keys, config);
        Verified verified = verify(candidates.pairs(), rows, config);
        MinLabelComponents.Result components = MinLabelComponents.of(verified.edges());
        Dataset<Row> labels = components.labels();
        long clustered = labels.count();
        Stats stats = new Stats(candidates.count(), verified.count(), candidates.oversizedBuckets(),
                candidates.membersBeyondCap(), clustered, components.rounds());
        return resolve(rows, labels, verified.texts(), config, stats);
    }

    /** Stage a: (rid, bucket, is_eval) rows, b per input row; lazy. */
    public static Dataset<Row> signatures(Dataset<Row> rows, MinHashConfig config) {
        validate(rows);
        return BandedCandidates.keys(rows, config, false);
    }

    /** Stage b: distinct candidate pairs (rid_a < rid_b) from the key table; materialised. */
    public static CandidatePairs candidates(Dataset<Row> keys, MinHashConfig config) {
        return BandedCandidates.pairs(keys, config, false, JOB);
    }

    /** Stage c: candidate pairs whose exact Jaccard reaches the threshold, as (a, b, jaccard) with a < b. */
    public static Verified verify(Dataset<Row> pairs, Dataset<Row> rows, MinHashConfig config) {
        Dataset<Row> texts = BandedCandidates.texts(rows, pairs, false);
        Dataset<Row> ta = texts.select(col("rid").as("rid_a"), col("id").as("id_a"), col("text").as("text_a"));
        Dataset<Row> tb = texts.select(col("rid").as("rid_b"), col("id").as("id_b"), col("text").as("text_b"));
        Dataset<Row> edges = Lineage.cut(pairs.join(ta, "rid_a").join(tb, "rid_b")
                .filter(col("id_a").notEqual(col("id_b")))
                .withColumn("jaccard", BandedCandidates.jaccard(col("text_a"), col("text_b"), config.shingleSize()))
                .filter(col("jaccard").geq(config.jaccardThreshold()))
                .select(least(col("id_a"), col("id_b")).as("a"), greatest(col("id_a"), col("id_b")).as("b"),
                        col("jaccard"))
                .distinct());
        return new Verified(edges, edges.count(), texts);
    }

    private static Result resolve(Dataset<Row> rows, Dataset<Row> labels, Dataset<Row> texts, MinHashConfig config,
            Stats stats) {
        Dataset<Row> members = labels.filter(col("id").notEqual(col("cluster")))
                .select(col("id"), col("cluster").as("keep_id"));
        Dataset<Row> textById = texts.select(col("id"), col("text")).dropDuplicates("id");
        Dataset<Row> matches = members
                .join(textById, "id")
                .join(textById.select(col("id").as("keep_id"), col("text").as("keep_text")), "keep_id")
                .select(col("id"),
                        concat(lit(Dropped.NEAR_DUPLICATE_OF), col("keep_id")).as("_reason"),
                        BandedCandidates.jaccard(col("text"), col("keep_text"), config.shingleSize()).as("_jaccard"));
        Dataset<Row> dropped = Dropped.of(rows, matches);
        Dataset<Row> dropIds = members.select(col("id").as("drop_id"));
        Dataset<Row> kept = rows.join(dropIds, rows.col("id").equalTo(dropIds.col("drop_id")), "left_anti");
        return new Result(kept, dropped, stats);
    }

    private static void validate(Dataset<Row> rows) {
        BandedCandidates.requireColumns(rows.schema(), JOB, List.of("id", "prompt", "response"),
                List.of(DataTypes.StringType, DataTypes.StringType, DataTypes.StringType));
    }
}
