package org.immunobench.curation.dedup;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.immunobench.curation.corpus.Splits;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

/**
 * Decontamination (curate stage 4): a training-side row (split not {@link Splits#isEval}) is dropped when it exactly
 * duplicates an eval-side row (same id) or near-duplicates one (shares a MinHash band key and has exact Jaccard ≥
 * threshold). Eval rows are never dropped here, and neither are training rows that only resemble each other
 * ({@link NearDuplicates} handles those). A row leaking into several eval rows names the most similar one (ties:
 * smallest eval id) in its reason {@code contaminates:<eval id>}.
 *
 * <p>Run it before {@link ExactDuplicates} and {@link NearDuplicates}: they are split-agnostic and could otherwise
 * keep the training copy of a leaked pair and drop the eval one.
 */
public final class Decontamination {
    private static final String JOB = "decontamination";

    /**
     * @param candidatePairs distinct (eval, training) row pairs sharing a band key
     * @param oversizedBuckets buckets over max_bucket_size (logged as a warning)
     * @param membersBeyondCap members of those buckets paired only with the bucket's first member of the other side
     * @param contaminatingRows distinct training ids dropped
     */
    public record Stats(long candidatePairs, long oversizedBuckets, long membersBeyondCap, long contaminatingRows) {
    }

    /**
     * @param kept eval rows and clean training rows (input shape)
     * @param dropped contaminating training rows ({@link Dropped} shape)
     */
    public record Result(Dataset<Row> kept, Dataset<Row> dropped, Stats stats) {
        /** The leak list for the report: which training row, from where, leaks which eval row, how similar. */
        public Dataset<Row> report() {
            return dropped.select("id", "source", "source_row", "split", Dropped.REASON, Dropped.JACCARD);
        }
    }

    private Decontamination() {
    }

    public static Result run(Dataset<Row> rows, MinHashConfig config) {
        BandedCandidates.requireColumns(rows.schema(), JOB, List.of("id", "split", "prompt", "response"),
                List.of(DataTypes.StringType, DataTypes.StringType, DataTypes.StringType, DataTypes.StringType));
        CandidatePairs candidates = BandedCandidates.pairs(BandedCandidates.keys(rows, config, true), config, true,
                JOB);
        Dataset<Row> texts = BandedCandidates.texts(rows, candidates.pairs(), true);
        Dataset<Row> evalTexts = texts.filter(col("is_eval"))
                .select(col("rid").as("rid_a"), col("id").as("eval_id"), col("text").as("eval_text"));
        Dataset<Row> trainTexts = texts.filter(not(col("is_eval")))
                .select(col("rid").as("rid_b"), col("id").as("train_id"), col("text").as("train_text"));
        Dataset<Row> near = candidates.pairs().join(evalTexts, "rid_a").join(trainTexts, "rid_b")
                .select(col("train_id"), col("eval_id"),
                        BandedCandidates.jaccard(col("eval_text"), col("train_text"), config.shingleSize())
                                .as("jaccard"))
                .filter(col("jaccard").geq(config.jaccardThreshold()));

        Column evalSide = BandedCandidates.isEval(rows.col("split"));
        Dataset<Row> trainIds = rows.filter(not(evalSide)).select(col("id").as("train_id"));
        Dataset<Row> evalIds = rows.filter(evalSide).select(col("id").as("eval_id")).distinct();
        // Exact leaks are found by id as well, so the bucket-size guard can never hide one.
        Dataset<Row> exact = trainIds.join(evalIds, trainIds.col("train_id").equalTo(evalIds.col("eval_id")))
                .select(col("train_id"), col("eval_id"), lit(1.0).as("jaccard"));

        Dataset<Row> best = Lineage.cut(near.unionByName(exact)
                .withColumn("_rank", row_number().over(Window.partitionBy("train_id")
                        .orderBy(col("jaccard").desc(), col("eval_id").asc())))
                .filter(col("_rank").equalTo(1))
                .select(col("train_id"), col("eval_id"), col("jaccard")));
        long contaminating = best.count();

        Dataset<Row> training = rows.filter(not(evalSide));
        Dataset<Row> dropped = Dropped.of(training, best.select(col("train_id").as("id"),
                concat(lit(Dropped.CONTAMINATES), col("eval_id")).as("_reason"), col("jaccard").as("_jaccard")));
        Dataset<Row> leakIds = best.select(col("train_id").as("leak_id"));
        Dataset<Row> kept = rows.join(leakIds,
                rows.col("id").equalTo(leakIds.col("leak_id")).and(not(evalSide)), "left_anti");
        Stats stats = new Stats(candidates.count(), candidates.oversizedBuckets(), candidates.membersBeyondCap(),
                contaminating);
        return new Result(kept, dropped, stats);
    }
}
