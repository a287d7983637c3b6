package org.immunobench.jobs;

import org.apache.spark.sql.SparkSession;
import org.immunobench.jobs.score.InputFormat;
import org.immunobench.jobs.score.ScoreJob;
import org.immunobench.jobs.score.ScoreSummary;
import org.immunobench.lm.runtime.RuntimeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code immunobench score}: see {@link ScoreJob}. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Perplexity of every row of a JSONL or Parquet file under one model.",
            "Rows have 'text', or 'prompt' and 'response' (only response tokens are scored), and an optional 'id'.",
            "Writes OUT/scores (id, n_tokens, nll_sum, nll_mean, ppl), OUT/quarantine (source, source_row, raw,"
                + " reason) and OUT/summary.json."})
final class ScoreCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "HF checkpoint directory with tokenizer.json (same path on every executor).")
    private String model;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "JSONL file or Parquet file/directory.")
    private String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory.")
    private String output;

    @Option(names = "--format", paramLabel = "jsonl|parquet",
            description = "Input format (default: from the extension).")
    private InputFormat format;

    @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "4096",
            description = "Padded tokens per forward batch. Default: ${DEFAULT-VALUE}.")
    private int maxBatchTokens;

    @Option(names = "--max-batch-size", paramLabel = "N", defaultValue = "64",
            description = "Rows per forward batch. Default: ${DEFAULT-VALUE}.")
    private int maxBatchSize;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Repartition the rows into N tasks before scoring (default: as read).")
    private int partitions;

    @Option(names = "--overwrite", description = "Replace existing outputs in the output directory.")
    private boolean overwrite;

    @Mixin
    private DtypeOption dtypeOption;

    @Override
    public Integer call() {
        positive("--max-batch-tokens", maxBatchTokens);
        positive("--max-batch-size", maxBatchSize);
        if (partitions < 0) {
            throw new ParameterException(spec.commandLine(), "--partitions must be >= 0, got " + partitions);
        }
        SparkSessions.Plan plan = sparkOptions.plan();
        ScoreJob.checkModelDir(model); // before starting Spark: a typo should not cost a session start
        plan.warnings().forEach(w -> spec.commandLine().getErr().println("immunobench score: warning: " + w));
        RuntimeOptions runtime = RuntimeOptions.cpu().withThreads(plan.threads())
                .withBatching(maxBatchTokens, maxBatchSize).withDtype(dtypeOption.dtype());
        ScoreJob.Settings settings = new ScoreJob.Settings(model, input, output, format, runtime, plan.device(),
                partitions, ScoreJob.Settings.DEFAULT_CHUNK_ROWS, overwrite);
        SparkSession spark = SparkSessions.open(plan, "immunobench score");
        try {
            ScoreSummary summary = ScoreJob.run(spark, settings);
            spec.commandLine().getOut().println(summary.countsLine());
            spec.commandLine().getOut().printf("tokens=%d (%.0f tok/s); wrote %s/{scores,quarantine,summary.json}%n",
                    summary.tokensScored(), summary.tokensPerSecond(), summary.output());
            return Cli.OK;
        } finally {
            spark.stop();
        }
    }

    private void positive(String flag, int value) {
        if (value <= 0) {
            throw new ParameterException(spec.commandLine(), flag + " must be > 0, got " + value);
        }
    }
}
