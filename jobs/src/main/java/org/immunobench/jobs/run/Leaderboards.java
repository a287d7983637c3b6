package org.immunobench.jobs.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.leaderboard.GenerationSample;
import org.immunobench.evaluation.leaderboard.GenerationSamples;
import org.immunobench.evaluation.leaderboard.Leaderboard;
import org.immunobench.evaluation.leaderboard.LeaderboardConfig;
import org.immunobench.evaluation.leaderboard.LeaderboardTable;
import org.immunobench.evaluation.leaderboard.LeaderboardWriter;
import org.immunobench.evaluation.leaderboard.PageData;
import org.immunobench.evaluation.leaderboard.Provenance;
import org.immunobench.evaluation.leaderboard.SearchCurves;
import org.immunobench.evaluation.pillars.BestSoFar;
import org.immunobench.evaluation.pillars.Pillars;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.pillars.SearchFigures;
import org.immunobench.evaluation.pillars.SearchTrial;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RateInterval;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.evaluation.stats.Bootstrap;
import org.immunobench.evaluation.stats.GenerationVerdict;
import org.immunobench.jobs.CodeVersion;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The last stage: pillar rows from the metric rows (pure functions, {@link org.immunobench.evaluation.pillars.Pillars}),
 * with bootstrap intervals over the stored verdicts of {@code generations/} ({@link Bootstrap}), written to
 * {@code pillars/} with the rates' intervals in {@code rate_intervals/}, then the leaderboard tables and page from them: the open-weight table always, and the fine-tuning-stage table
 * (leaderboard-finetuning.*) when the run has fine-tuning-stage rows.
 */
public final class Leaderboards {
    static final RecordSchema<PillarRow> PILLARS = RecordSchema.of(PillarRow.class);
    static final RecordSchema<RateInterval> RATES = RecordSchema.of(RateInterval.class);
    /** Stored completions shown per judge in each drill-down. */
    static final int SAMPLES_PER_JUDGE = 3;

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
                layout.root(), layout.table(RunLayout.GENERATIONS), heldBackTask(Path.of(String.valueOf(
                        plan.resolved().get("world")))), out, searches);
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

    /**
     * The benign task the toy world held back from pretraining (what task_accuracy measures), for the bootstrap;
     * null when {@code worldDir} holds no world (the bootstrap then infers it).
     */
    public static String heldBackTask(Path worldDir) {
        return Files.isRegularFile(worldDir.resolve("world.json")) ? WorldContext.load(worldDir).tasks().heldBack()
                : null;
    }

    /** Without stored generations: intervals over seeds only, no drill-down generations. */
    public static LeaderboardTable write(SparkSession spark, List<MetricRow> metrics, PillarsConfig pillarsConfig,
            LeaderboardConfig leaderboardConfig, Provenance provenance, Path pillarsDir, Path outDir,
            PrintStream out) {
        return write(spark, metrics, pillarsConfig, leaderboardConfig, provenance, pillarsDir, outDir, null, null,
                out, Searches.NONE);
    }

    /**
     * Pillars into {@code pillarsDir} and the rate intervals next to it ({@value RunLayout#RATE_INTERVALS}),
     * leaderboard files into {@code outDir}. With a generations table, the intervals are bootstrapped over its
     * stored verdicts ({@link Bootstrap}) and the drill-down shows a few of its completions.
     *
     * @param generationsDir the run's generations table; null or absent: intervals over seeds only
     * @param heldBackTask the toy world's held-back benign task when known ({@link #heldBackTask}), else null
     * @param searches the figures of hyper-parameter searches, added to the pillars and the page
     */
    public static LeaderboardTable write(SparkSession spark, List<MetricRow> metrics, PillarsConfig pillarsConfig,
            LeaderboardConfig leaderboardConfig, Provenance provenance, Path pillarsDir, Path outDir,
            Path generationsDir, String heldBackTask, PrintStream out, Searches searches) {
        long t0 = System.nanoTime();
        Dataset<Row> generations = generationsDir != null && Files.isDirectory(generationsDir)
                ? spark.read().parquet(generationsDir.toString()) : null;
        Bootstrap.Result boot = generations == null
                ? Bootstrap.without(metrics, pillarsConfig, generationsDir == null ? "no generations table given"
                        : "no generations table at " + generationsDir)
                : Bootstrap.run(spark, metrics, GenerationVerdict.read(generations, generationsDir.toString()),
                        pillarsConfig, heldBackTask);
        out.println("leaderboard: " + boot.summary());
        List<PillarRow> pillars = new java.util.ArrayList<>(boot.pillars());
        pillars.addAll(searches.pillars());
        pillars.sort(Pillars.ORDER);
        Dataset<Row> pillarTable = spark.createDataFrame(PILLARS.toRows(pillars), PILLARS.schema());
        pillarTable.coalesce(1).write().mode(SaveMode.Overwrite).parquet(pillarsDir.toString());
        Path ratesDir = pillarsDir.resolveSibling(RunLayout.RATE_INTERVALS);
        spark.createDataFrame(RATES.toRows(boot.rates()), RATES.schema()).coalesce(1).write()
                .mode(SaveMode.Overwrite).parquet(ratesDir.toString());
        Dataset<Row> pillarRows = spark.read().parquet(pillarsDir.toString());
        LeaderboardTable table = Leaderboard.build(spark, pillarRows, leaderboardConfig);
        List<GenerationSample> samples = generations == null ? List.of()
                : GenerationSamples.of(generations, metrics, leaderboardConfig.attackFamily(), SAMPLES_PER_JUDGE);
        PageData page = new PageData(boot.curves(), samples, Bootstrap.note(boot));
        try {
            LeaderboardWriter.write(table, page, provenance, outDir, searches.curves());
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
                LeaderboardWriter.write(fineTuning, page, provenance, outDir, searches.curves());
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
        out.printf(Locale.ROOT, "leaderboard: %d rate intervals in %s; pillars, intervals and pages in %.1f s%n",
                boot.rates().size(), ratesDir, (System.nanoTime() - t0) / 1e9);
        return table;
    }
}
