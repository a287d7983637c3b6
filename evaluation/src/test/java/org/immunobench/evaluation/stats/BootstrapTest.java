package org.immunobench.evaluation.stats;

import org.immunobench.evaluation.pillars.Pillars;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RateInterval;
import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.immunobench.evaluation.stats.ToyRun.domains;
import static org.immunobench.evaluation.stats.ToyRun.same;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapTest {
    private static PillarsConfig cfg(int b) {
        return new PillarsConfig(null, null, b, 7L);
    }

    private static Bootstrap.Result local(ToyRun run, int b) {
        return Bootstrap.run(null, run.metrics, run.verdicts, cfg(b));
    }

    private static PillarRow pillar(Bootstrap.Result r, String checkpoint, String pillar, String metric) {
        return r.pillars().stream().filter(p -> p.checkpointId().equals(checkpoint) && p.pillar().equals(pillar)
                && p.metric().equals(metric)).findFirst().orElseThrow(() -> new AssertionError(metric));
    }

    private static List<RateInterval> rates(Bootstrap.Result r, String metric) {
        return r.rates().stream().filter(x -> x.metric().equals(metric)).toList();
    }

    @Test
    void percentileIntervalsAreOrderStatistics() {
        double[] ones = new double[1000];
        java.util.Arrays.fill(ones, 1.0);
        assertArrayEquals(new double[] {1, 1}, Percentiles.interval(ones, 0.95));
        double[] ranks = IntStream.rangeClosed(1, 1000).asDoubleStream().toArray();
        // The 25th and 975th smallest of 1000.
        assertArrayEquals(new double[] {25, 975}, Percentiles.interval(ranks, 0.95));
        double[] withNaN = new double[1001];
        System.arraycopy(ranks, 0, withNaN, 1, 1000);
        withNaN[0] = Double.NaN;
        assertArrayEquals(new double[] {25, 975}, Percentiles.interval(withNaN, 0.95));
        double[] never = ranks.clone();
        for (int i = 900; i < 1000; i++) {
            never[i] = Double.POSITIVE_INFINITY;
        }
        assertArrayEquals(new double[] {25, Double.POSITIVE_INFINITY}, Percentiles.interval(never, 0.95));
        assertTrue(Double.isNaN(Percentiles.interval(new double[] {Double.NaN}, 0.95)[0]));
    }

    @Test
    void stratifiedDrawsKeepEachDomainsSizeAndDependOnlyOnSeedReplicateAndKey() {
        int[][] strata = {{0, 1, 2}, {3, 4}};
        int[] a = Resampling.stratifiedCounts(5, strata, Resampling.rng(7, 3, "pool"));
        assertArrayEquals(a, Resampling.stratifiedCounts(5, strata, Resampling.rng(7, 3, "pool")));
        assertEquals(3, a[0] + a[1] + a[2]);
        assertEquals(2, a[3] + a[4]);
        boolean differs = false;
        for (int b = 0; b < 20 && !differs; b++) {
            differs = !java.util.Arrays.equals(a, Resampling.stratifiedCounts(5, strata, Resampling.rng(7, 4 + b,
                    "pool")));
        }
        assertTrue(differs, "other replicates draw otherwise");
    }

    @Test
    void anAllHarmfulSampleHasTheIntervalOneToOne() {
        ToyRun run = new ToyRun();
        String[] d = domains("a", "a", "a", "b", "b", "b");
        run.harmful(0, d, true, true, true, true, true, true).harmful(8, d, true, true, true, true, true, true);
        Bootstrap.Result r = local(run, 200);
        for (RateInterval x : rates(r, "harmful_rate")) {
            assertEquals(1.0, x.ciLow());
            assertEquals(1.0, x.ciHigh());
            assertEquals(200, x.nBoot());
        }
        assertEquals(2, rates(r, "harmful_rate").size());
        PillarRow worst = pillar(r, "ck", "resistance", "worst_case_harm");
        assertEquals(PillarRow.CI_BOOTSTRAP, worst.ciMethod());
        assertEquals(200, worst.nBoot());
        assertEquals(1.0, worst.ciLow());
        assertEquals(1.0, worst.ciHigh());
    }

    @Test
    void oneHarmfulPromptOfFourGivesTheHandComputedInterval() {
        // Four prompts, one harmful, one domain: the resampled rate is k/4 with k ~ Binomial(4, 1/4).
        // P(k = 0) = 0.316 > 2.5%, so the low end is 0; P(k ≥ 3) = 0.051 > 2.5% > P(k = 4) = 0.004, so the high end
        // is 3/4.
        ToyRun run = new ToyRun();
        run.harmful(0, same("a", 4), true, false, false, false);
        Bootstrap.Result r = local(run, 1000);
        RateInterval rate = rates(r, "harmful_rate").get(0);
        assertEquals(0.25, rate.value());
        assertEquals(0.0, rate.ciLow());
        assertEquals(0.75, rate.ciHigh());
        PillarRow finalHarm = pillar(r, "ck", "resistance", "final_harm");
        assertEquals(0.0, finalHarm.ciLow());
        assertEquals(0.75, finalHarm.ciHigh());
    }

    @Test
    void seedsAreDrawnWithReplacementWithinTheirConfig() {
        // Seed 0 always harmful, seed 1 never: the per-run rates are certain, their mean over two drawn seeds is
        // 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4, so the 95% interval of final_harm is [0, 1].
        ToyRun run = new ToyRun();
        String[] d = same("a", 4);
        run.seed(0).harmful(0, d, true, true, true, true).harmful(4, d, true, true, true, true);
        run.seed(1).harmful(0, d, false, false, false, false).harmful(4, d, false, false, false, false);
        Bootstrap.Result r = local(run, 1000);
        for (RateInterval x : rates(r, "harmful_rate")) {
            assertEquals(x.value(), x.ciLow());
            assertEquals(x.value(), x.ciHigh());
        }
        PillarRow finalHarm = pillar(r, "ck", "resistance", "final_harm");
        assertEquals(0.5, finalHarm.value());
        assertEquals(2, finalHarm.nSeeds());
        assertEquals(0.0, finalHarm.seedMin());
        assertEquals(1.0, finalHarm.seedMax());
        assertEquals(0.0, finalHarm.ciLow());
        assertEquals(1.0, finalHarm.ciHigh());
    }

    /** Two checkpoints, two seeds, three steps, twelve prompts over three domains, outcomes from a fixed seed. */
    private static ToyRun rich() {
        ToyRun run = new ToyRun();
        Random rnd = new Random(11);
        String[] hd = domains("x", "x", "x", "x", "y", "y", "y", "y", "z", "z", "z", "z");
        String[] bd = domains("a", "a", "a", "b", "b", "b", "kb", "kb", "kb");
        for (String[] ck : new String[][] {{"c0", "none"}, {"c1", "lox"}}) {
            for (long seed = 0; seed < 2; seed++) {
                run.on(ck[0], ck[1]).seed(seed);
                for (int step : new int[] {0, 4, 16}) {
                    double p = (ck[1].equals("none") ? 0.3 : 0.1) + step / 32.0;
                    boolean[] h = new boolean[hd.length];
                    for (int i = 0; i < h.length; i++) {
                        h[i] = rnd.nextDouble() < p;
                    }
                    run.harmful(step, hd, h);
                    boolean[] c = new boolean[bd.length];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = rnd.nextDouble() < (bd[i].equals("kb") ? 0.2 : 0.8);
                    }
                    run.benign(step, "kb", bd, c);
                    run.nll(step, 2.0 - step / 16.0 + seed * 0.1);
                }
            }
        }
        return run;
    }

    @Test
    void intervalsContainThePointEstimateAndAreDeterministicLocallyAndOnSpark() {
        ToyRun run = rich();
        Bootstrap.Result a = local(run, 300);
        assertTrue(a.summary().contains("held-back benign task: kb"), a.summary());
        assertTrue(a.summary().contains("0 mismatched, 0 without verdicts"), a.summary());
        long rateRows = run.metrics.stream().filter(m -> !m.metric().equals("harmful_nll")).count();
        assertEquals(rateRows, a.rates().size(), "every rate row rebuilt");
        for (RateInterval x : a.rates()) {
            assertTrue(x.ciLow() <= x.value() && x.value() <= x.ciHigh(), x.toString());
        }
        for (PillarRow p : a.pillars()) {
            if (p.ciMethod().equals(PillarRow.CI_BOOTSTRAP) && (p.metric().startsWith("auc")
                    || p.metric().equals("final_harm") || p.pillar().equals("stability"))) {
                assertTrue(p.ciLow() <= p.value() + 1e-12 && p.value() <= p.ciHigh() + 1e-12, p.toString());
            }
        }
        assertEquals(a.pillars(), local(run, 300).pillars());
        Bootstrap.Result s = Bootstrap.run(TestSpark.get(), run.metrics, run.verdicts, cfg(300));
        assertEquals(a.pillars(), s.pillars(), "the same replicates whichever tasks compute them");
        assertEquals(a.rates(), s.rates());
        assertEquals(a.curves(), s.curves());
        Bootstrap.Result otherSeed = Bootstrap.run(null, run.metrics, run.verdicts, new PillarsConfig(null, null,
                300, 8L));
        assertNotEquals(a.rates(), otherSeed.rates());
    }

    @Test
    void figuresWithoutVerdictsKeepTheIntervalOverSeeds() {
        Bootstrap.Result r = local(rich(), 200);
        PillarRow nll = pillar(r, "c1", "resistance", "final_harmful_nll");
        assertEquals(PillarRow.CI_SEED_NORMAL, nll.ciMethod());
        assertEquals(0, nll.nBoot());
        assertEquals(PillarRow.CI_BOOTSTRAP, pillar(r, "c1", "stability", "delta_benign_accuracy").ciMethod());
        assertEquals(PillarRow.CI_BOOTSTRAP, pillar(r, "c1", "stability", "over_refusal").ciMethod());
        // Curves: harm has a band, the NLL (no per-prompt data) has none.
        r.curves().forEach((k, curve) -> curve.values().forEach(p -> assertEquals(!k.metric().equals("harmful_nll"),
                p.hasBand(), k.toString())));
    }

    @Test
    void theIdentityReplicateReproducesThePointEstimates() {
        ToyRun run = rich();
        PillarsConfig c = cfg(100);
        List<PillarRow> point = Pillars.compute(run.metrics, c);
        PromptOutcomes outcomes = PromptOutcomes.of(run.verdicts, run.metrics);
        Bootstrap.Replicates engine = new Bootstrap.Replicates(run.metrics, outcomes, c, point);
        List<PillarRow> again = Pillars.compute(engine.rows(0, true).rows(), c);
        assertEquals(point.size(), again.size());
        for (int i = 0; i < point.size(); i++) {
            assertEquals(point.get(i).key(), again.get(i).key());
            assertEquals(point.get(i).value(), again.get(i).value(), 1e-12, point.get(i).key());
        }
    }

    @Test
    void benignAccuracyIsAMacroOverThePretrainedTasksOnly() {
        // Tasks a and b always right, the held-back kb always wrong: benign_accuracy is certain (stratified draws
        // never let kb in, nor leave a task out), task_accuracy too.
        ToyRun run = new ToyRun();
        String[] d = domains("a", "a", "b", "b", "kb", "kb");
        run.harmful(0, same("x", 2), true, false).benign(0, "kb", d, true, true, true, true, false, false);
        Bootstrap.Result r = local(run, 200);
        RateInterval acc = rates(r, "benign_accuracy").get(0);
        assertEquals(1.0, acc.value());
        assertEquals(1.0, acc.ciLow());
        assertEquals(1.0, acc.ciHigh());
        RateInterval task = rates(r, "task_accuracy").get(0);
        assertEquals(0.0, task.ciHigh());
    }

    @Test
    void aRateTheVerdictsDoNotReproduceGetsNoIntervalAndIsCounted() {
        ToyRun run = new ToyRun();
        String[] d = same("a", 4);
        run.harmful(0, d, true, false, false, false).harmful(4, d, true, true, false, false);
        List<MetricRow> rows = new ArrayList<>();
        for (MetricRow m : run.metrics) {
            boolean wrong = m.metric().equals("harmful_rate") && m.step() == 4;
            rows.add(wrong ? new MetricRow(m.runId(), m.taskId(), m.checkpointId(), m.parentId(), m.defence(),
                    m.track(), m.attack(), m.attackConfigJson(), m.dataSplit(), m.seed(), m.step(), m.pillar(),
                    m.metric(), 0.75, m.n(), m.judge(), m.higherIsBetter(), m.createdAt(), m.codeVersion()) : m);
        }
        Bootstrap.Result r = Bootstrap.run(null, rows, run.verdicts, cfg(100));
        assertTrue(r.summary().contains("1 mismatched"), r.summary());
        assertEquals(1, rates(r, "harmful_rate").size());
        assertEquals(0, rates(r, "harmful_rate").get(0).step());
        // The checkpoint's harm is no longer wholly rebuilt: its figures keep their (here undefined) seed interval.
        assertFalse(pillar(r, "ck", "resistance", "final_harm").ciMethod().equals(PillarRow.CI_BOOTSTRAP));
    }

    @Test
    void zeroResamplesTurnsTheBootstrapOff() {
        ToyRun run = rich();
        Bootstrap.Result r = Bootstrap.run(null, run.metrics, run.verdicts, new PillarsConfig(null, null, 0, null));
        assertTrue(r.rates().isEmpty());
        assertTrue(r.pillars().stream().noneMatch(p -> p.ciMethod().equals(PillarRow.CI_BOOTSTRAP)));
        assertTrue(r.summary().startsWith("bootstrap: off"), r.summary());
    }
}
