package org.immunobench.jobs.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Successive halving keeps the configured fraction at each rung, and a search driven wave by wave never resumes a
 * stopped trial, also when it is interrupted and run again.
 */
class SuccessiveHalvingTest {
    /** Against the whole cohort of a rung, exactly max(1, ⌊m/η⌋) trials go on, and they are the best ones. */
    @Test
    void aWholeCohortKeepsExactlyTheConfiguredFractionAndTheBestOfIt() {
        Random random = new Random(7);
        for (int eta = 2; eta <= 4; eta++) {
            SuccessiveHalving rule = new SuccessiveHalving(eta);
            for (int m = 1; m <= 40; m++) {
                List<Score> cohort = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    // Coarse harms, NLLs and drops so that ties occur at every level; the index breaks the last.
                    cohort.add(new Score(i, 8, random.nextInt(9) / 8.0, random.nextInt(2), random.nextInt(3)));
                }
                List<Score> kept = new ArrayList<>();
                for (Score s : cohort) {
                    List<Score> others = cohort.stream().filter(o -> o != s).toList();
                    if (rule.keeps(s, others)) {
                        kept.add(s);
                    }
                }
                assertEquals(Math.max(1, m / eta), kept.size(), "eta " + eta + ", cohort " + m);
                List<Score> best = cohort.stream().sorted().limit(kept.size()).toList();
                assertEquals(best.stream().map(Score::trial).sorted().toList(),
                        kept.stream().map(Score::trial).sorted().toList());
            }
        }
    }

    @Test
    void harmRanksFirstThenTheLowerHarmfulNllThenTheSmallerDropThenTheEarlierTrial() {
        SuccessiveHalving rule = new SuccessiveHalving(2);
        List<Score> rivals = List.of(new Score(0, 8, 0.5, 3.0, 2.0));
        assertTrue(rule.keeps(new Score(1, 8, 0.6, 9.0, 9.0), rivals));
        assertFalse(rule.keeps(new Score(1, 8, 0.4, 0.1, 0.0), rivals));
        assertTrue(rule.keeps(new Score(1, 8, 0.5, 2.9, 9.0), rivals));
        assertFalse(rule.keeps(new Score(1, 8, 0.5, Double.NaN, 0.0), rivals)); // no NLL ranks last
        assertTrue(rule.keeps(new Score(1, 8, 0.5, 3.0, 1.0), rivals));
        assertFalse(rule.keeps(new Score(1, 8, 0.5, 3.0, 2.0), rivals)); // a full tie: the earlier trial ranks first
        assertThrows(IllegalArgumentException.class, () -> rule.keeps(new Score(1, 16, 0.5, 3.0, 0), rivals));
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(1));
    }

    /**
     * Harm of synthetic trial t after s steps: its own strength times a curve rising with s, plus noise. (Not
     * java.util.Random: its first draws for consecutive seeds rise with the seed, which would make every trial
     * stronger than the ones before it.)
     */
    private static double harm(int trial, int step) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1000L * trial + step);
        double strength = new java.util.SplittableRandom(trial).nextDouble();
        return Math.min(1, strength * Math.log1p(step) / Math.log1p(81) + 0.05 * r.nextDouble());
    }

    /** A ledger and an executor in memory: what the search stage does with Spark tasks and task directories. */
    private static final class Simulation {
        final Rungs rungs = Rungs.asha(1, 81, 3); // rungs 1, 3, 9, 27; last 81
        final Map<Integer, TrialResult> ledger = new TreeMap<>();
        final Map<Integer, Integer> executions = new HashMap<>();
        int budget = Integer.MAX_VALUE; // executions before a simulated kill -9

        void run(int trials, int wave) {
            Waves.run(List.of(new Waves.Shape(trials, wave)), s -> Map.copyOf(ledger), (w, pending) -> {
                for (Waves.Pending p : pending) {
                    if (budget-- <= 0) {
                        throw new IllegalStateException("killed");
                    }
                    executions.merge(p.trial(), 1, Integer::sum);
                    assertFalse(ledger.containsKey(p.trial()), "trial " + p.trial() + " ran again after its commit");
                    TrialGate gate = new TrialGate(p.trial(), rungs, 3, p.history());
                    int last = 0;
                    String status = TrialResult.COMPLETED;
                    for (int step : rungs.evalSteps()) {
                        last = step;
                        if (step > 0 && !gate.keepGoing(step, harm(p.trial(), step), Double.NaN, 0)) {
                            status = TrialResult.STOPPED;
                            break;
                        }
                    }
                    // Trials of one wave commit in an order the scheduler picks: reversed here on purpose.
                    ledger.put(p.trial(), new TrialResult(p.trial(), status, last, gate.scores()));
                }
            });
        }
    }

    /**
     * 243 trials in waves of 3, η = 3. At the first rung, which every trial reaches in an order unrelated to its
     * strength, the share that goes on is near 1/3 (each decision sees only earlier trials, so it is 1/3 only on
     * average). Deeper rungs keep more than 1/3 (measured: 36%, 42%, 62% at rungs 1, 3, 9) because trials arrive
     * there better and better selected, but every rung stops some. Every trial that went on was among the best
     * max(1, ⌊m/η⌋) of the m scores it was compared with (its own and its earlier waves'), every trial that stopped was
     * not, and no stopped trial has a later score.
     */
    @Test
    void aSearchKeepsAboutOneInEtaAtEachRungAndEveryPromotionWasEarned() {
        Simulation sim = new Simulation();
        sim.run(243, 3);
        assertEquals(243, sim.ledger.size());
        for (int rung : sim.rungs.decisions()) {
            List<TrialResult> reached = sim.ledger.values().stream()
                    .filter(r -> r.scores().stream().anyMatch(s -> s.step() == rung)).toList();
            long went = reached.stream().filter(r -> r.lastStep() > rung).count();
            double share = went / (double) reached.size();
            if (rung == sim.rungs.decisions().get(0)) {
                assertEquals(243, reached.size());
                assertTrue(share > 0.28 && share < 0.42, "rung " + rung + ": " + went + " of " + reached.size());
            } else {
                assertTrue(went < reached.size() && share > 0.25, "rung " + rung + ": " + went + " of "
                        + reached.size());
            }
            for (TrialResult r : reached) {
                Score own = r.scores().stream().filter(s -> s.step() == rung).findFirst().orElseThrow();
                int wave = r.trial() / 3;
                List<Score> rivals = sim.ledger.values().stream().filter(o -> o.trial() / 3 < wave)
                        .flatMap(o -> o.scores().stream()).filter(s -> s.step() == rung).toList();
                boolean top = new SuccessiveHalving(3).keeps(own, rivals);
                assertEquals(top, r.lastStep() > rung, "trial " + r.trial() + " at rung " + rung);
            }
        }
        for (TrialResult r : sim.ledger.values()) {
            if (r.status().equals(TrialResult.STOPPED)) {
                assertTrue(r.lastStep() < 81);
                assertEquals(r.lastStep(), r.scores().get(r.scores().size() - 1).step(),
                        "a stopped trial has no score after its stop");
            } else {
                assertEquals(81, r.lastStep());
            }
        }
        assertTrue(sim.executions.values().stream().allMatch(n -> n == 1));
    }

    /**
     * Killed in the middle of a wave and run again: the trials committed before the kill never run again (stopped
     * ones included), and the ledger ends exactly as an uninterrupted search's.
     */
    @Test
    void anInterruptedSearchResumesWithoutRepeatingOrResumingTrials() {
        Simulation clean = new Simulation();
        clean.run(40, 4);

        Simulation killed = new Simulation();
        killed.budget = 22; // mid-wave 5
        assertThrows(IllegalStateException.class, () -> killed.run(40, 4));
        Map<Integer, TrialResult> before = new TreeMap<>(killed.ledger);
        assertEquals(22, before.size());
        List<Integer> stoppedBefore = before.values().stream().filter(r -> r.status().equals(TrialResult.STOPPED))
                .map(TrialResult::trial).toList();
        assertFalse(stoppedBefore.isEmpty());
        killed.budget = Integer.MAX_VALUE;
        killed.run(40, 4);
        assertEquals(clean.ledger, killed.ledger);
        before.forEach((t, r) -> assertEquals(r, killed.ledger.get(t)));
        assertTrue(killed.executions.values().stream().allMatch(n -> n == 1),
                "every trial ran once: " + killed.executions.entrySet().stream().filter(e -> e.getValue() > 1)
                        .collect(Collectors.toList()));
        for (int t : stoppedBefore) {
            assertEquals(1, killed.executions.get(t));
        }
        assertNotEquals(0, stoppedBefore.size());
    }

    @Test
    void aGateRefusesToMeasureAStoppedTrial() {
        Rungs rungs = Rungs.asha(2, 8, 2); // rungs 2, 4; last 8
        TrialGate gate = new TrialGate(1, rungs, 2, Map.of(2, List.of(new Score(0, 2, 0.9, 1.0, 0))));
        assertTrue(gate.keepGoing(0, 0.0, 2.0, 0));
        assertFalse(gate.keepGoing(2, 0.1, 0.5, 0));
        assertEquals(2, gate.stoppedAt());
        assertThrows(IllegalStateException.class, () -> gate.keepGoing(4, 1.0, 0.1, 0));
    }

    @Test
    void rungsGrowByEtaFromTheMinimumResource() {
        assertEquals(List.of(8, 24), Rungs.asha(8, 72, 3).decisions());
        assertEquals(List.of(0, 8, 24, 72), Rungs.asha(8, 72, 3).evalSteps());
        assertEquals(List.of(4, 8, 16, 32), Rungs.asha(4, 64, 2).decisions());
        assertEquals(List.of(0, 64), Rungs.asha(64, 64, 3).evalSteps());
        assertEquals(List.of(0, 32), Rungs.none(32).evalSteps());
    }
}
