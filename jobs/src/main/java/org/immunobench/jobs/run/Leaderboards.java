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
import org.immunobench.evaluation.leaderboard.SearchCurves;
import org.immunobench.evaluation.pillars.BestSoFar;
import org.immunobench.evaluation.pillars.SearchFigures;
import org.immunobench.evaluation.pillars.SearchTrial;
import org.immunobench.evaluation.pillars.Pillars;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.jobs.CodeVersion;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        Searches searches = searches(spark, plan, layout, config.leaderboard().headlineEpsilon(), out);
        write(spark, metrics, config.pillars(), config.leaderboard(), provenance, layout.table(RunLayout.PILLARS),
                layout.root(), out, searches);
    }

    /** The figures of a run's hyper-parameter searches: their pillar rows and best-so-far curves. */
    public record Searches(List<PillarRow> pillars, SearchCurves curves) {
        public static final Searches NONE = new Searches(List.of(), SearchCurves.NONE);
    }

    /**
     * The search figures from {@code search/metrics} and {@code search/trials} (none when the plan has no search or
     * its stage has not run), at every budget of the plan's searches; also writes {@code search/best_so_far.csv}
     * (every search's curve at every budget).
     */
    static Searches searches(SparkSession spark, ExperimentPlan plan, RunLayout layout, double headline,
            PrintStream out) {
        Path metricsTable = layout.search(RunLayout.METRICS);
        Path trialsTable = layout.search("trials");
        if (plan.searches().isEmpty() || !Files.isDirectory(metricsTable) || !Files.isDirectory(trialsTable)) {
            return Searches.NONE;
        }
        List<MetricRow> rows = RunJob.METRICS.fromRows(spark.read().parquet(metricsTable.toString())
                .collectAsList());
        Map<String, Integer> index = new TreeMap<>();
        SearchStage.TRIALS.fromRows(spark.read().parquet(trialsTable.toString()).collectAsList())
                .forEach(t -> index.put(t.trialId(), t.trialIndex()));
        TreeSet<Double> budgets = new TreeSet<>();
        plan.searches().forEach(s -> budgets.addAll(s.config().epsilons()));
        List<SearchTrial> trials = SearchFigures.trials(rows, index);
        if (trials.isEmpty()) {
            return Searches.NONE;
        }
        StringBuilder csv = new StringBuilder("defence,checkpoint_id,attack,pillar,epsilon,trials_run,best\n");
        for (double eps : budgets) {
            for (BestSoFar c : SearchFigures.bestSoFar(trials, eps)) {
                for (int i = 0; i < c.values().size(); i++) {
                    csv.append(String.join(",", c.defence(), c.checkpointId(), c.attackFamily(), c.pillar(),
                            Double.toString(eps), Integer.toString(i + 1), Double.toString(c.values().get(i))))
                            .append('\n');
                }
            }
        }
        try {
            Files.writeString(layout.search("best_so_far.csv"), csv.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + layout.search("best_so_far.csv"), e);
        }
        out.printf("leaderboard: %d search trials; wrote %s%n", trials.size(), layout.search("best_so_far.csv"));
        return new Searches(SearchFigures.compute(trials, List.copyOf(budgets)),
                new SearchCurves(SearchFigures.bestSoFar(trials, headline), headline));
    }

    /** Pillars into {@code pillarsDir}, leaderboard files into {@code outDir}. */
    public static LeaderboardTable write(SparkSession spark, List<MetricRow> metrics, PillarsConfig pillarsConfig,
            LeaderboardConfig leaderboardConfig, Provenance provenance, Path pillarsDir, Path outDir,
            PrintStream out) {
        return write(spark, metrics, pillarsConfig, leaderboardConfig, provenance, pillarsDir, outDir, out,
                Searches.NONE);
    }

    /** The same, with the figures of hyper-parameter searches added to the pillars and the page. */
    public static LeaderboardTable write(SparkSession spark, List<MetricRow> metrics, PillarsConfig pillarsConfig,
            LeaderboardConfig leaderboardConfig, Provenance provenance, Path pillarsDir, Path outDir,
            PrintStream out, Searches searches) {
        List<PillarRow> pillars = new java.util.ArrayList<>(Pillars.compute(metrics, pillarsConfig));
        pillars.addAll(searches.pillars());
        pillars.sort(Pillars.ORDER);
        Dataset<Row> pillarTable = spark.createDataFrame(PILLARS.toRows(pillars), PILLARS.schema());
        pillarTable.coalesce(1).write().mode(SaveMode.Overwrite).parquet(pillarsDir.toString());
        Dataset<Row> pillarRows = spark.read().parquet(pillarsDir.toString());
        LeaderboardTable table = Leaderboard.build(spark, pillarRows, leaderboardConfig);
        Dataset<Row> metricRows = spark.createDataFrame(RunJob.METRICS.toRows(metrics), RunJob.METRICS.schema());
        try {
            LeaderboardWriter.write(table, metricRows, provenance, outDir, searches.curves());
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
                LeaderboardWriter.write(fineTuning, metricRows, provenance, outDir, searches.curves());
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
