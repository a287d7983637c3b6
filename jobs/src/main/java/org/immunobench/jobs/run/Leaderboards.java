package org.immunobench.jobs.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.leaderboard.Leaderboard;
import org.immunobench.evaluation.leaderboard.LeaderboardConfig;
import org.immunobench.evaluation.leaderboard.LeaderboardTable;
import org.immunobench.evaluation.leaderboard.LeaderboardWriter;
import org.immunobench.evaluation.leaderboard.Provenance;
import org.immunobench.evaluation.pillars.Pillars;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.jobs.CodeVersion;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The last stage: pillar rows from the metric rows (pure functions, {@link Pillars}), written to {@code pillars/},
 * then the leaderboard tables and page from them: the open-weight table always, and the fine-tuning-stage table
 * (leaderboard-finetuning.*) when the run has fine-tuning-stage rows.
 */
public final class Leaderboards {
    static final RecordSchema<PillarRow> PILLARS = RecordSchema.of(PillarRow.class);

    private Leaderboards() {
    }

    static void write(SparkSession spark, ExperimentConfig config, ExperimentPlan plan, RunLayout layout,
            Map<String, Double> timings, PrintStream out) {
        List<MetricRow> metrics = RunJob.metrics(spark, layout);
        TreeSet<Long> seeds = new TreeSet<>();
        plan.attacks().forEach(a -> seeds.add(a.attack().seed()));
        Provenance provenance = new Provenance(plan.runId(), layout.runYaml().toString(), List.copyOf(seeds),
                config.evaluation().judge(), CodeVersion.describe(), Instant.now().toString(), timings);
        write(spark, metrics, config.pillars(), config.leaderboard(), provenance, layout.table(RunLayout.PILLARS),
                layout.root(), out);
    }

    /** Pillars into {@code pillarsDir}, leaderboard files into {@code outDir}. */
    public static LeaderboardTable write(SparkSession spark, List<MetricRow> metrics, PillarsConfig pillarsConfig,
            LeaderboardConfig leaderboardConfig, Provenance provenance, Path pillarsDir, Path outDir,
            PrintStream out) {
        List<PillarRow> pillars = Pillars.compute(metrics, pillarsConfig);
        Dataset<Row> pillarTable = spark.createDataFrame(PILLARS.toRows(pillars), PILLARS.schema());
        pillarTable.coalesce(1).write().mode(SaveMode.Overwrite).parquet(pillarsDir.toString());
        Dataset<Row> pillarRows = spark.read().parquet(pillarsDir.toString());
        LeaderboardTable table = Leaderboard.build(spark, pillarRows, leaderboardConfig);
        Dataset<Row> metricRows = spark.createDataFrame(RunJob.METRICS.toRows(metrics), RunJob.METRICS.schema());
        try {
            LeaderboardWriter.write(table, metricRows, provenance, outDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the leaderboard into " + outDir, e);
        }
        out.printf("leaderboard: %d pillar rows; wrote %s/{%s,%s,%s}%n", pillars.size(), outDir,
                LeaderboardWriter.MARKDOWN, LeaderboardWriter.CSV, LeaderboardWriter.HTML);
        if (Leaderboard.hasTrack(pillarRows, Tracks.FINETUNING_STAGE)) {
            // Its own table: these defences assume the provider runs the fine-tuning, another threat model.
            LeaderboardTable fineTuning = Leaderboard.build(spark, pillarRows, leaderboardConfig,
                    Tracks.FINETUNING_STAGE);
            try {
                LeaderboardWriter.write(fineTuning, metricRows, provenance, outDir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write the fine-tuning-stage leaderboard into " + outDir,
                        e);
            }
            String t = Tracks.FINETUNING_STAGE;
            out.printf("leaderboard: fine-tuning-stage track; wrote %s/{%s,%s,%s}%n", outDir,
                    LeaderboardWriter.fileName(LeaderboardWriter.MARKDOWN, t),
                    LeaderboardWriter.fileName(LeaderboardWriter.CSV, t),
                    LeaderboardWriter.fileName(LeaderboardWriter.HTML, t));
        }
        return table;
    }
}
