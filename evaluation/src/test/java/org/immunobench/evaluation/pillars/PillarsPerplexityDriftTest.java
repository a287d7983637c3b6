package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.immunobench.evaluation.pillars.MetricRows.concat;
import static org.immunobench.evaluation.pillars.MetricRows.only;
import static org.immunobench.evaluation.pillars.MetricRows.steps;
import static org.immunobench.evaluation.pillars.MetricRows.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Perplexity drift in the Stability pillar, beside fluency: its step-0 value and its delta to the baseline. */
class PillarsPerplexityDriftTest {
    private static final double EPS = 1e-9;
    private static final String DRIFT = "ppl_drift";

    /**
     * c-none (the parent itself) drifts 1.0 at step 0; c-ctrap drifts 1.2 (seed 1) and 1.6 (seed 2) at step 0 and
     * much more later in the attack, which stability never reads: ppl_drift = 1.4, delta = 0.4, spread
     * std(1.2, 1.6) = √0.08, n = the smaller token count (900).
     */
    @Test
    void stepZeroDriftAndItsDelta() {
        int[] t = steps(0, 8);
        MetricRows n1 = task("n1").on("c-none", "p0", "none").seed(1).judge("none").n(1000);
        MetricRows c1 = task("c1").on("c-ctrap", "p0", "ctrap").seed(1).judge("none").n(1000);
        MetricRows c2 = task("c2").on("c-ctrap", "p0", "ctrap").seed(2).judge("none").n(900);
        List<MetricRow> rows = concat(n1.curve(DRIFT, t, 1.0, 1.3), c1.curve(DRIFT, t, 1.2, 9.0),
                c2.curve(DRIFT, t, 1.6, 7.0),
                task("n1").on("c-none", "p0", "none").seed(1).curve("harmful_rate", t, 0.0, 0.9),
                task("c1").on("c-ctrap", "p0", "ctrap").seed(1).curve("harmful_rate", t, 0.0, 0.8),
                task("c2").on("c-ctrap", "p0", "ctrap").seed(2).curve("harmful_rate", t, 0.0, 0.7));
        List<PillarRow> out = Pillars.compute(rows, PillarsConfig.defaults());

        PillarRow drift = only(out, "c-ctrap", "stability", DRIFT);
        assertEquals(1.4, drift.value(), EPS);
        assertEquals(Math.sqrt(0.08), drift.spread(), EPS);
        assertEquals(2, drift.nSeeds());
        assertEquals(900, drift.n());
        assertEquals("none", drift.judge());
        assertFalse(drift.higherIsBetter(), "a lower perplexity ratio is better");
        PillarRow delta = only(out, "c-ctrap", "stability", "delta_" + DRIFT);
        assertEquals(0.4, delta.value(), EPS);
        assertFalse(delta.higherIsBetter());
        assertEquals(1.0, only(out, "c-none", "stability", DRIFT).value(), EPS);
        assertEquals(0.0, only(out, "c-none", "stability", "delta_" + DRIFT).value(), EPS);
    }

    @Test
    void aNonFiniteDriftAtStepZeroIsAnErrorNamingTheTask() {
        MetricRows c1 = task("c1").on("c-ctrap", "p0", "ctrap").judge("none");
        List<MetricRow> rows = List.of(c1.at(0, DRIFT, Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pillars.compute(rows, PillarsConfig.defaults()));
        assertTrue(e.getMessage().contains("c1"), e.getMessage());
    }
}
