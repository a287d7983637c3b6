package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.immunobench.evaluation.pillars.MetricRows.concat;
import static org.immunobench.evaluation.pillars.MetricRows.only;
import static org.immunobench.evaluation.pillars.MetricRows.steps;
import static org.immunobench.evaluation.pillars.MetricRows.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PillarsTrainabilityTest {
    private static final double EPS = 1e-9;
    private static final String ACC = "task_accuracy";
    private static final String A = "{\"lr\":0.0001}";
    private static final String B = "{\"lr\":0.001}";

    private static MetricRows benign(String taskId, String checkpoint, String parent, String defence) {
        return task(taskId).on(checkpoint, parent, defence).pillar("trainability").attack("benign_sft")
                .judge("answer_checker").higherIsBetter(true);
    }

    /**
     * task_accuracy at steps 0, 10, 20, 40:
     * <pre>
     *   c-none (p0, none)  A s1: 0.2 0.5 0.7  0.8    A s2: 0.2 0.5 0.7  0.9   → final 0.85
     *   c-vac  (p0)        A s1: 0.1 0.3 0.6  0.9    A s2: 0.1 0.4 0.8  0.9   → F(A) = 0.9
     *                      B s1: 0.1 0.6 0.86 0.86   B s2: 0.1 0.6 0.86 0.86  → F(B) = 0.86
     *   c-weak (p0)        A s1: 0.1 0.2 0.3  0.4                              → final 0.4
     *   c-orphan (p1)      A s1: 0.1 0.2 0.3  0.4                              → final 0.4, no baseline
     * </pre>
     * c-none: final 0.85, spread std(0.8, 0.9) = √0.005, interval 0.85 ± 1.96 · 0.05 = [0.752, 0.948]; its own
     * seed-mean curve 0.2, 0.5, 0.7, 0.85 first reaches 0.85 at step 40; delta 0.
     * c-vac: best config A (0.9 &gt; 0.86): final 0.9, spread 0, interval [0.9, 0.9]; delta 0.9 − 0.85 = 0.05;
     * steps_to_parent on A's seed-mean curve 0.1, 0.35, 0.7, 0.9: first ≥ 0.85 at step 40 (config B would have
     * reached it at 20, but B is not the best config).
     * c-weak: delta 0.4 − 0.85 = −0.45; never reaches 0.85 → +∞. c-orphan: delta and steps NaN.
     */
    @Test
    void finalDeltaAndStepsToParent() {
        int[] t = steps(0, 10, 20, 40);
        List<MetricRow> rows = concat(
                benign("n1", "c-none", "p0", "none").config(A).seed(1).curve(ACC, t, 0.2, 0.5, 0.7, 0.8),
                benign("n2", "c-none", "p0", "none").config(A).seed(2).curve(ACC, t, 0.2, 0.5, 0.7, 0.9),
                benign("a1", "c-vac", "p0", "vaccine").config(A).seed(1).curve(ACC, t, 0.1, 0.3, 0.6, 0.9),
                benign("a2", "c-vac", "p0", "vaccine").config(A).seed(2).curve(ACC, t, 0.1, 0.4, 0.8, 0.9),
                benign("b1", "c-vac", "p0", "vaccine").config(B).seed(1).curve(ACC, t, 0.1, 0.6, 0.86, 0.86),
                benign("b2", "c-vac", "p0", "vaccine").config(B).seed(2).curve(ACC, t, 0.1, 0.6, 0.86, 0.86),
                benign("w1", "c-weak", "p0", "vaccine").config(A).curve(ACC, t, 0.1, 0.2, 0.3, 0.4),
                benign("o1", "c-orphan", "p1", "vaccine").config(A).curve(ACC, t, 0.1, 0.2, 0.3, 0.4));
        List<PillarRow> out = Pillars.compute(rows, PillarsConfig.defaults());

        PillarRow none = only(out, "c-none", "trainability", "task_accuracy_final");
        assertEquals(0.85, none.value(), EPS);
        assertEquals(Math.sqrt(0.005), none.spread(), EPS);
        assertEquals(0.752, none.ciLow(), EPS);
        assertEquals(0.948, none.ciHigh(), EPS);
        assertEquals(0, only(out, "c-none", "trainability", "delta_task_accuracy_final").value(), EPS);
        assertEquals(40, only(out, "c-none", "trainability", "steps_to_parent_task_accuracy").value());

        PillarRow fin = only(out, "c-vac", "trainability", "task_accuracy_final");
        assertEquals(0.9, fin.value(), EPS);
        assertEquals(0, fin.spread(), EPS);
        assertEquals(0.9, fin.ciLow(), EPS);
        assertEquals(0.9, fin.ciHigh(), EPS);
        assertTrue(fin.higherIsBetter());
        assertEquals("benign_sft", fin.attackFamily());
        assertEquals("answer_checker", fin.judge());
        PillarRow delta = only(out, "c-vac", "trainability", "delta_task_accuracy_final");
        assertEquals(0.05, delta.value(), EPS);
        assertTrue(delta.higherIsBetter());
        PillarRow toParent = only(out, "c-vac", "trainability", "steps_to_parent_task_accuracy");
        assertEquals(40, toParent.value());
        assertFalse(toParent.higherIsBetter());
        assertEquals(2, toParent.nSeeds());
        assertTrue(Double.isNaN(toParent.spread()));

        assertEquals(-0.45, only(out, "c-weak", "trainability", "delta_task_accuracy_final").value(), EPS);
        assertEquals(Double.POSITIVE_INFINITY,
                only(out, "c-weak", "trainability", "steps_to_parent_task_accuracy").value());

        assertEquals(0.4, only(out, "c-orphan", "trainability", "task_accuracy_final").value(), EPS);
        assertTrue(Double.isNaN(only(out, "c-orphan", "trainability", "delta_task_accuracy_final").value()));
        assertTrue(Double.isNaN(only(out, "c-orphan", "trainability", "steps_to_parent_task_accuracy").value()));

        Set<String> names = out.stream().filter(r -> r.pillar().equals("trainability")).map(PillarRow::metric)
                .collect(Collectors.toSet());
        assertEquals(Set.of("task_accuracy_final", "delta_task_accuracy_final", "steps_to_parent_task_accuracy"),
                names);
    }

    /** The configured metric is the one read; rows of other metrics under trainability are ignored. */
    @Test
    void readsTheConfiguredMetric() {
        int[] t = steps(0, 10);
        List<MetricRow> rows = concat(
                benign("n1", "c-none", "p0", "none").curve("benign_accuracy", t, 0.5, 0.7),
                benign("n1", "c-none", "p0", "none").curve(ACC, t, 0.1, 0.2));
        List<PillarRow> out = Pillars.compute(rows, new PillarsConfig(null, "benign_accuracy"));
        assertEquals(0.7, only(out, "c-none", "trainability", "benign_accuracy_final").value(), EPS);
        assertTrue(out.stream().noneMatch(r -> r.metric().contains("task_accuracy")));
    }
}
