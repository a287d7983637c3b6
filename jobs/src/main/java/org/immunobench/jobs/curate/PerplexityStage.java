package org.immunobench.jobs.curate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.immunobench.curation.accounting.StageCounts;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.curate.Checkpoints;
import org.immunobench.curation.perplexity.PerplexityConfig;
import org.immunobench.curation.report.StageReport;
import org.immunobench.jobs.ModelSpec;
import org.immunobench.lm.runtime.RuntimeOptions;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * Stage 5 of the curate job: every row scored under the reference model on the executors by {@link CorpusScorer}
 * (response tokens given the prompt, or the prompt when there is no response), through the executor model cache.
 * Lives in {@code jobs} rather than next to the other stages in {@code curation.curate} because it runs a model,
 * and the model cache and task devices are the jobs module's.
 */
public final class PerplexityStage {
    public static final String NAME = "perplexity";

    private PerplexityStage() {
    }

    /**
     * The stage's rows and figures.
     *
     * @param rows the input rows with n_tokens and ppl set (checkpointed)
     * @param seconds wall time of the stage: repartition, tokenization, forward passes, checkpoint, count
     * @param forwardTokens tokens through the model (scoring windows overlap on long rows, so ≥ scored tokens)
     * @param forwardSeconds forward time summed over tasks
     */
    public record Result(Dataset<Row> rows, long scored, long unscorable, long tokens, double seconds,
            long forwardTokens, double forwardSeconds, StageReport report) {
        public double tokensPerSecond() {
            return tokens / Math.max(seconds, 1e-9);
        }

        /** Per task slot: forward tokens over forward seconds summed across tasks. */
        public double forwardTokensPerSecond() {
            return forwardSeconds > 0 ? forwardTokens / forwardSeconds : 0;
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d rows scored, %d unscorable (flag ppl_unscorable), %d tokens:"
                    + " %.0f tok/s over the stage, %.0f tok/s per task through the model (%d forward tokens in"
                    + " %.1f s of forward time over all tasks)", scored, unscorable, tokens, tokensPerSecond(),
                    forwardTokensPerSecond(), forwardTokens, forwardSeconds);
        }
    }

    /**
     * @param rowsIn rows per source entering the stage (the accounting checks nothing is lost)
     * @param model the reference checkpoint directory, readable at the same path on every executor
     */
    public static Result run(SparkSession spark, Dataset<Row> rows, List<String> sources, Map<String, Long> rowsIn,
            String model, PerplexityConfig ppl, CurateJob.Settings settings) {
        long t = System.nanoTime();
        LongAccumulator fwdTokens = spark.sparkContext().longAccumulator("curate.forward_tokens");
        LongAccumulator fwdNanos = spark.sparkContext().longAccumulator("curate.forward_nanos");
        Dataset<Row> in = rows.select(CurateJob.corpusColumns());
        int tasks = scoringTasks(ppl.partitions(), in.rdd().getNumPartitions(),
                spark.sparkContext().defaultParallelism());
        if (tasks != in.rdd().getNumPartitions()) {
            in = in.repartition(tasks);
        }
        RuntimeOptions runtime = settings.runtime().withBatching(ppl.maxBatchTokens(), ppl.maxBatchSize());
        Dataset<Row> scored = Checkpoints.cut(in.mapPartitions(new CorpusScorer(new ModelSpec(model, runtime),
                settings.device(), ppl.chunkRows(), fwdTokens, fwdNanos), Encoders.row(in.schema())));
        Row agg = scored.agg(count(lit(1)), sum(col("n_tokens")), sum(col("ppl").isNull().cast("long"))).first();
        long unscorable = agg.isNullAt(2) ? 0 : agg.getLong(2);
        long scoredRows = agg.getLong(0) - unscorable;
        long tokens = agg.isNullAt(1) ? 0 : agg.getLong(1);
        double seconds = CurateJob.seconds(t);
        StageCounts counts = StageTally.counts(NAME, sources, rowsIn, StageTally.bySource(scored), Map.of(),
                Map.of());
        Result partial = new Result(scored, scoredRows, unscorable, tokens, seconds, fwdTokens.value(),
                fwdNanos.value() / 1e9, null);
        StageReport report = new StageReport("perplexity under " + model + ": response tokens given the prompt, or"
                + " the prompt when there is no response; ppl = exp(mean NLL)", counts, seconds,
                List.of(partial.summary()));
        return new Result(scored, scoredRows, unscorable, tokens, seconds, partial.forwardTokens(),
                partial.forwardSeconds(), report);
    }

    /**
     * Scoring tasks: the configured number, else at least one per task slot — the dedup output of a small corpus
     * often sits in one partition, which would leave all but one core idle for the slowest stage.
     */
    static int scoringTasks(int configured, int current, int slots) {
        return configured > 0 ? configured : Math.max(current, slots);
    }
}
