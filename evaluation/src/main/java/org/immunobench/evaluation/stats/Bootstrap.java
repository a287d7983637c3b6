package org.immunobench.evaluation.stats;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.pillars.PillarMetrics;
import org.immunobench.evaluation.pillars.Pillars;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RateInterval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Bootstrap confidence intervals for a run's rates, pillar figures and curves (docs/pillars.md, uncertainty).
 *
 * <p>One replicate b = 1 … B redraws the run's evaluation in two independent stages and recomputes everything from
 * the redrawn metric rows with the same code as the point estimates ({@link Pillars#compute}, {@link StepCurves}):
 * <ol>
 *   <li><b>prompts</b>: in every prompt pool ({@link PromptOutcomes}: the prompts measured together), each domain's
 *       m prompts are drawn m times with replacement (stratified, as the prompt sets were built a fixed number per
 *       domain); every rate that the stored verdicts rebuild becomes its mean over the drawn prompts. One draw per
 *       pool and replicate, shared by every checkpoint, task and step measured on it, so comparisons stay paired.
 *       Metrics without per-prompt verdicts (harmful_nll, R_ft …) keep their values;</li>
 *   <li><b>seeds</b>: within every attack config of every checkpoint (a seed group: the tasks that differ only in
 *       their seed), its k runs are drawn k times with replacement (one draw: unchanged).</li>
 * </ol>
 * The interval of a statistic is the percentile interval of its B replicate values ({@link Percentiles}; 95%).
 * Every random draw is seeded from (seed, b, pool or seed group) ({@link Resampling}), so the result is the same for
 * the same rows, B and seed, however the replicates are spread over Spark tasks.
 *
 * <p>Which figures get a bootstrap interval: a rate row whose value the verdicts rebuild (the rest are counted in the
 * summary); a pillar figure or curve whose source metric ({@link PillarMetrics#sourceMetric}) is rebuilt on every
 * row of its checkpoint and judge. Others keep the interval over seeds of {@link Pillars#compute} and no band: a
 * bootstrap that resamples seeds only would call a one-seed figure certain.
 */
public final class Bootstrap {
    public static final double LEVEL = 0.95;
    private static final String JOB_DESCRIPTION = "spark.job.description";

    private Bootstrap() {
    }

    /**
     * @param pillars the pillar rows, with bootstrap intervals where they apply
     * @param rates one row per metric row that the verdicts rebuild
     * @param curves curves with bands where they apply
     * @param coverage what the stored verdicts reached and what not, for the job's output and the page
     */
    public record Result(List<PillarRow> pillars, List<RateInterval> rates,
            SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> curves, int resamples, long seed,
            String coverage, double seconds) {

        /** One line for the job's output. */
        public String summary() {
            return resamples == 0 ? "bootstrap: off (" + coverage + "); intervals over seeds only"
                    : String.format(Locale.ROOT, "bootstrap: B=%d resamples (seed %d) in %.1f s; %s", resamples, seed,
                            seconds, coverage);
        }
    }

    /** No bootstrap: the pillar rows' seed intervals and curves without bands; {@code why} goes into the summary. */
    public static Result without(List<MetricRow> metrics, PillarsConfig cfg, String why) {
        return new Result(Pillars.compute(metrics, cfg), List.of(), StepCurves.withoutBands(metrics), 0, cfg.seed(),
                why, 0);
    }

    /** How the intervals of a result were made, in two sentences for the leaderboard page. */
    public static String note(Result r) {
        if (r.resamples() == 0) {
            return "Intervals are over seeds only: mean ± 1.96 · sd / √seeds, undefined with one seed (bootstrap off: "
                    + r.coverage() + ").";
        }
        return "95% intervals and bands: percentile bootstrap with B = " + r.resamples() + " resamples (seed "
                + r.seed() + ") of the evaluation prompts (within each domain; the same draw for every checkpoint,"
                + " so comparisons are paired) and of the seeds within each attack config; figures the stored"
                + " verdicts do not reach (NLLs) keep mean ± 1.96 · sd / √seeds. Coverage: " + r.coverage() + ".";
    }

    /**
     * Pillars, rate intervals and curve bands with B = {@code cfg.resamples()} replicates seeded by
     * {@code cfg.seed()}; {@link #without} when B = 0.
     *
     * @param spark where the replicates run, spread over tasks; null to run them here, one after another
     */
    public static Result run(SparkSession spark, List<MetricRow> metrics, List<GenerationVerdict> verdicts,
            PillarsConfig cfg) {
        return run(spark, metrics, verdicts, cfg, null);
    }

    /**
     * @param heldBackTask the benign task held back from pretraining (task_accuracy's), when the caller knows it;
     *     null to infer it from the rows ({@link PromptOutcomes})
     */
    public static Result run(SparkSession spark, List<MetricRow> metrics, List<GenerationVerdict> verdicts,
            PillarsConfig cfg, String heldBackTask) {
        if (cfg.resamples() == 0) {
            return without(metrics, cfg, "pillars.bootstrap_resamples = 0");
        }
        long t0 = System.nanoTime();
        List<PillarRow> point = Pillars.compute(metrics, cfg);
        PromptOutcomes outcomes = PromptOutcomes.of(verdicts, metrics, heldBackTask);
        Replicates engine = new Replicates(metrics, outcomes, cfg, point);
        int b = cfg.resamples();
        double[][] values = spark == null ? engine.block(0, b).values() : onSpark(spark, engine, b);
        Result r = engine.result(values, b);
        return new Result(r.pillars(), r.rates(), r.curves(), b, cfg.seed(), r.coverage(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static double[][] onSpark(SparkSession spark, Replicates engine, int b) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, Math.min(b, jsc.defaultParallelism() * 2));
        List<int[]> ranges = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            int from = (int) ((long) b * s / slices);
            int to = (int) ((long) b * (s + 1) / slices);
            if (to > from) {
                ranges.add(new int[] {from, to});
            }
        }
        String description = spark.sparkContext().getLocalProperty(JOB_DESCRIPTION);
        spark.sparkContext().setJobDescription("bootstrap (" + b + " resamples)");
        List<Block> blocks;
        try {
            blocks = jsc.parallelize(ranges, ranges.size()).map(r -> engine.block(r[0], r[1])).collect();
        } finally {
            spark.sparkContext().setJobDescription(description);
        }
        double[][] values = new double[engine.stats()][b];
        for (Block blk : blocks) {
            for (int s = 0; s < values.length; s++) {
                System.arraycopy(blk.values()[s], 0, values[s], blk.from(), blk.values()[s].length);
            }
        }
        return values;
    }

    /** Replicates from..to−1: values[statistic][b − from]. */
    record Block(int from, double[][] values) implements Serializable {
    }

    /** The replicate machinery; serialisable so that Spark tasks can run blocks of replicates. */
    static final class Replicates implements Serializable {
        private static final long serialVersionUID = 1L;
        private final List<MetricRow> metrics;
        private final PromptOutcomes outcomes;
        private final PillarsConfig cfg;
        /** Seed groups: key and, per run (sorted by seed, task), its metric row positions. */
        private final List<String> groupKeys = new ArrayList<>();
        private final List<int[][]> groupRuns = new ArrayList<>();
        private final List<PillarRow> point;
        private final Map<String, Integer> pillarIndex = new HashMap<>();
        private final SortedMap<StepCurves.Key, SortedMap<Integer, Double>> pointCurves;
        private final Map<StepCurves.Key, Map<Integer, Integer>> curveIndex = new HashMap<>();
        private final int nCells;
        private final int nStats;

        Replicates(List<MetricRow> metrics, PromptOutcomes outcomes, PillarsConfig cfg, List<PillarRow> point) {
            this.metrics = List.copyOf(metrics);
            this.outcomes = outcomes;
            this.cfg = cfg;
            this.point = point;
            record Run(long seed, String taskId, List<Integer> rows) {
            }
            Map<String, Map<String, Run>> groups = new TreeMap<>();
            for (int i = 0; i < metrics.size(); i++) {
                MetricRow r = metrics.get(i);
                String g = String.join("\u0000", r.runId(), r.checkpointId(), r.parentId(), r.defence(), r.track(),
                        r.attack(), r.attackConfigJson(), String.valueOf(r.dataSplit()), r.pillar());
                groups.computeIfAbsent(g, k -> new TreeMap<>())
                        .computeIfAbsent(r.taskId(), t -> new Run(r.seed(), t, new ArrayList<>())).rows().add(i);
            }
            groups.forEach((key, runs) -> {
                List<Run> sorted = new ArrayList<>(runs.values());
                sorted.sort(Comparator.comparingLong(Run::seed).thenComparing(Run::taskId));
                int[][] rows = new int[sorted.size()][];
                for (int k = 0; k < rows.length; k++) {
                    rows[k] = sorted.get(k).rows().stream().mapToInt(Integer::intValue).toArray();
                }
                groupKeys.add(key);
                groupRuns.add(rows);
            });
            nCells = outcomes.cells.size();
            int next = nCells;
            for (PillarRow p : point) {
                pillarIndex.put(p.key(), next++);
            }
            pointCurves = StepCurves.of(metrics);
            for (Map.Entry<StepCurves.Key, SortedMap<Integer, Double>> e : pointCurves.entrySet()) {
                Map<Integer, Integer> steps = new HashMap<>();
                for (int step : e.getValue().keySet()) {
                    steps.put(step, next++);
                }
                curveIndex.put(e.getKey(), steps);
            }
            nStats = next;
        }

        int stats() {
            return nStats;
        }

        Block block(int from, int to) {
            double[][] values = new double[nStats][to - from];
            for (int b = from; b < to; b++) {
                double[] one = replicate(b);
                for (int s = 0; s < nStats; s++) {
                    values[s][b - from] = one[s];
                }
            }
            return new Block(from, values);
        }

        /** Replicate b's value of every statistic (NaN where a figure did not come out). */
        double[] replicate(int b) {
            double[] out = new double[nStats];
            java.util.Arrays.fill(out, Double.NaN);
            Replica replica = rows(b, false);
            List<MetricRow> rows = replica.rows();
            System.arraycopy(replica.cellRates(), 0, out, 0, nCells);
            for (PillarRow p : Pillars.compute(rows, cfg)) {
                Integer at = pillarIndex.get(p.key());
                if (at != null) {
                    out[at] = p.value();
                }
            }
            StepCurves.of(rows).forEach((k, curve) -> {
                Map<Integer, Integer> steps = curveIndex.get(k);
                if (steps != null) {
                    curve.forEach((step, v) -> {
                        Integer at = steps.get(step);
                        if (at != null) {
                            out[at] = v;
                        }
                    });
                }
            });
            return out;
        }

        /** A replicate's metric rows and its redrawn rate per cell. */
        record Replica(List<MetricRow> rows, double[] cellRates) {
        }

        /**
         * The metric rows of replicate b: seed groups redrawn, rebuilt rates redrawn over prompts. With
         * {@code identity}, every prompt and run drawn once, in order (the point estimate, relabelled).
         */
        Replica rows(int b, boolean identity) {
            long seed = cfg.seed();
            int[][] counts = identity ? outcomes.unitCounts() : new int[outcomes.pools.size()][];
            if (!identity) {
                for (int p = 0; p < counts.length; p++) {
                    PromptOutcomes.Pool pool = outcomes.pools.get(p);
                    counts[p] = Resampling.stratifiedCounts(pool.size(), pool.strata(),
                            Resampling.rng(seed, b, "pool|" + pool.key()));
                }
            }
            double[] cellRates = new double[nCells];
            for (int c = 0; c < nCells; c++) {
                PromptOutcomes.Cell cell = outcomes.cells.get(c);
                cellRates[c] = cell.rate(counts[cell.pool()]);
            }
            List<MetricRow> rows = new ArrayList<>(metrics.size());
            for (int g = 0; g < groupKeys.size(); g++) {
                int[][] runs = groupRuns.get(g);
                SplittableRandom rng = Resampling.rng(seed, b, "seeds|" + groupKeys.get(g));
                for (int j = 0; j < runs.length; j++) {
                    int[] run = runs[identity ? j : rng.nextInt(runs.length)];
                    for (int i : run) {
                        MetricRow r = metrics.get(i);
                        int cell = outcomes.cellOfRow[i];
                        double v = cell >= 0 ? cellRates[cell] : r.value();
                        // A run drawn twice is two runs: a new task id and seed per draw.
                        rows.add(new MetricRow(r.runId(), r.taskId() + "~" + j, r.checkpointId(), r.parentId(),
                                r.defence(), r.track(), r.attack(), r.attackConfigJson(), r.dataSplit(), j, r.step(),
                                r.pillar(), r.metric(), v, r.n(), r.judge(), r.higherIsBetter(), r.createdAt(),
                                r.codeVersion()));
                    }
                }
            }
            return new Replica(rows, cellRates);
        }

        Result result(double[][] values, int b) {
            // (checkpoint, metric, judge) → {rows, rows rebuilt from verdicts}
            Map<String, int[]> coverage = new HashMap<>();
            for (int i = 0; i < metrics.size(); i++) {
                MetricRow r = metrics.get(i);
                int[] c = coverage.computeIfAbsent(covKey(r.checkpointId(), r.metric(), r.judge()), k -> new int[2]);
                c[0]++;
                if (outcomes.cellOfRow[i] >= 0) {
                    c[1]++;
                }
            }
            List<RateInterval> rates = new ArrayList<>();
            for (int i = 0; i < metrics.size(); i++) {
                int cell = outcomes.cellOfRow[i];
                if (cell < 0) {
                    continue;
                }
                MetricRow r = metrics.get(i);
                double[] ci = Percentiles.interval(values[cell], LEVEL);
                rates.add(new RateInterval(r.runId(), r.taskId(), r.checkpointId(), r.defence(), r.track(), r.attack(),
                        r.pillar(), r.seed(), r.step(), r.metric(), r.judge(), r.value(), r.n(), ci[0], ci[1], b,
                        cfg.seed()));
            }
            List<PillarRow> pillars = new ArrayList<>(point.size());
            int boot = 0;
            for (PillarRow p : point) {
                String source = PillarMetrics.sourceMetric(p.pillar(), p.metric(), cfg.trainabilityMetric());
                if (source != null && covered(coverage, p.checkpointId(), source, p.judge())
                        && !Double.isNaN(p.value())) {
                    double[] ci = Percentiles.interval(values[pillarIndex.get(p.key())], LEVEL);
                    pillars.add(p.withInterval(ci[0], ci[1], PillarRow.CI_BOOTSTRAP, b));
                    boot++;
                } else {
                    pillars.add(p);
                }
            }
            SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> curves = new TreeMap<>();
            pointCurves.forEach((k, curve) -> {
                boolean band = covered(coverage, k.checkpointId(), k.metric(), k.judge());
                SortedMap<Integer, StepCurves.Point> c = new TreeMap<>();
                curve.forEach((step, v) -> {
                    double[] ci = band ? Percentiles.interval(values[curveIndex.get(k).get(step)], LEVEL)
                            : new double[] {Double.NaN, Double.NaN};
                    c.put(step, new StepCurves.Point(v, ci[0], ci[1]));
                });
                curves.put(k, c);
            });
            PromptOutcomes.Report rep = outcomes.report;
            String reached = String.format(Locale.ROOT, "%d prompt pools; %d of %d rate rows rebuilt from stored"
                    + " verdicts (%d mismatched, %d without verdicts); held-back benign task: %s; %d of %d pillar"
                    + " figures with bootstrap intervals", rep.pools(), rep.covered(), rep.rateRows(), rep.mismatched(),
                    rep.withoutVerdicts(), rep.heldBack(), boot, point.size());
            return new Result(List.copyOf(pillars), List.copyOf(rates), curves, b, cfg.seed(), reached, 0);
        }

        private static String covKey(String checkpoint, String metric, String judge) {
            return checkpoint + '\u0000' + metric + '\u0000' + judge;
        }

        private static boolean covered(Map<String, int[]> coverage, String checkpoint, String metric, String judge) {
            int[] c = coverage.get(covKey(checkpoint, metric, judge));
            return c != null && c[0] > 0 && c[0] == c[1];
        }
    }
}
