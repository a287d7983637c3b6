package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.immunobench.evaluation.pillars.MetricRows.concat;
import static org.immunobench.evaluation.pillars.MetricRows.steps;
import static org.immunobench.evaluation.pillars.MetricRows.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PillarsInputTest {
    private static final String HARM = "harmful_rate";

    private static String error(List<MetricRow> rows) {
        Executable call = () -> Pillars.compute(rows, PillarsConfig.defaults());
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void twoValuesForTheSameTaskStepAndMetricAreAnError() {
        List<MetricRow> rows = concat(task("t1").curve(HARM, steps(0, 8), 0.1, 0.4),
                List.of(task("t1").at(8, HARM, 0.5)));
        assertMentions(error(rows), "task t1, step 8", "two values for harmful_rate", "0.4", "0.5");
    }

    @Test
    void aNaNOrOutOfRangeHarmIsAnError() {
        assertMentions(error(task("t1").curve(HARM, steps(0, 8), 0.1, Double.NaN)), "task t1, step 8", "NaN");
        assertMentions(error(task("t2").curve(HARM, steps(0, 4), 1.5, 0.1)), "task t2, step 0", "[0, 1]", "1.5");
        assertMentions(error(task("t3").judge("none").curve("harmful_nll", steps(0, 4), 2.0,
                Double.POSITIVE_INFINITY)), "task t3, step 4", "harmful_nll", "Infinity");
    }

    @Test
    void aTaskIsOneConfigWithOneSeed() {
        List<MetricRow> rows = concat(task("t1").seed(1).curve(HARM, steps(0), 0.1),
                task("t1").seed(2).curve(HARM, steps(8), 0.2));
        assertMentions(error(rows), "task t1, step 8", "seed is 2 but 1");
    }

    @Test
    void oneConfigAndSeedInTwoTasksIsAnError() {
        List<MetricRow> rows = concat(task("t1").curve(HARM, steps(0, 8), 0.1, 0.2),
                task("t2").curve(HARM, steps(0, 8), 0.1, 0.3));
        assertMentions(error(rows), "tasks t1 and t2", "seed 1", "step 0");
    }

    @Test
    void anAttackCurveMustStartAtStepZero() {
        assertMentions(error(task("t1").curve(HARM, steps(8, 16), 0.1, 0.2)), "task t1, step 8", "step 0");
    }

    @Test
    void theBaselineMustBeUnique() {
        List<MetricRow> rows = concat(task("n1").on("c-none-a", "p0", "none").curve(HARM, steps(0), 0.5),
                task("n2").on("c-none-b", "p0", "none").curve(HARM, steps(0), 0.5));
        assertMentions(error(rows), "parent p0", "c-none-a (task n1)", "c-none-b (task n2)");
    }

    @Test
    void missingFieldsNullRowsAndNullConfig() {
        MetricRow noMetric = new MetricRow("r0", "t1", "c1", "p0", "vaccine", "open_weight", "harmful_sft", "{}",
                "attack", 1, 3, "resistance", null, 0.1, 10, "keyword", false, "", "");
        assertEquals("task t1, step 3: metric is null", error(List.of(noMetric)));
        assertEquals("pillars: metric row 0 is null", error(java.util.Collections.singletonList(null)));
        assertThrows(IllegalArgumentException.class, () -> Pillars.compute(List.of(), null));
        assertTrue(Pillars.compute(List.of(), PillarsConfig.defaults()).isEmpty());
    }

    @Test
    void unreadMetricsAreNotInspected() {
        List<MetricRow> rows = concat(task("t1").curve(HARM, steps(0), 0.1),
                List.of(task("t1").at(0, "perplexity", Double.NaN)));
        assertEquals(1, Pillars.compute(rows, PillarsConfig.defaults()).stream()
                .filter(r -> r.metric().equals("worst_case_harm")).count());
    }
}
