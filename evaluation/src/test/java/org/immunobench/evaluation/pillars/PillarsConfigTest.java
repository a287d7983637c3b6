package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.immunobench.evaluation.pillars.MetricRows.steps;
import static org.immunobench.evaluation.pillars.MetricRows.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PillarsConfigTest {
    private static String bindError(Map<String, Object> tree) {
        return assertThrows(IllegalArgumentException.class,
                () -> ConfigBinder.bind(tree, PillarsConfig.class, "")).getMessage();
    }

    @Test
    void defaultsFillMissingKeys() {
        PillarsConfig d = ConfigBinder.bind(Map.of(), PillarsConfig.class, "");
        assertEquals(List.of(0.25, 0.5), d.phi());
        assertEquals("task_accuracy", d.trainabilityMetric());
        assertEquals(d, PillarsConfig.defaults());
        PillarsConfig c = ConfigBinder.bind(Map.of("phi", List.of(0.1, 0.9), "trainability_metric", "benign_accuracy"),
                PillarsConfig.class, "");
        assertEquals(new PillarsConfig(List.of(0.1, 0.9), "benign_accuracy"), c);
        assertEquals(Map.of("phi", List.of(0.1, 0.9), "trainability_metric", "benign_accuracy"), ConfigBinder.toMap(c));
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("pillars.phi[1] must be in (0, 1), got 1.5", bindError(Map.of("phi", List.of(0.25, 1.5))));
        assertEquals("pillars.phi[0] must be in (0, 1), got 0.0", bindError(Map.of("phi", List.of(0.0))));
        assertEquals("pillars.phi[1] must be greater than pillars.phi[0] (sorted, distinct), got 0.25 after 0.5",
                bindError(Map.of("phi", List.of(0.5, 0.25))));
        assertEquals("pillars.phi[1] = 0.252 has the same metric name t_break_phi_0.25 as pillars.phi[0] = 0.251 "
                + "(names use two decimals)", bindError(Map.of("phi", List.of(0.251, 0.252))));
        assertEquals("pillars.trainability_metric must not be blank",
                bindError(Map.of("trainability_metric", " ")));
        assertEquals("phis: unknown key; allowed: [bootstrap_resamples, bootstrap_seed, phi, trainability_metric]",
                bindError(Map.of("phis", List.of(0.5))));
    }

    @Test
    void phiChoosesTheTimeToBreakFigures() {
        List<PillarRow> out = Pillars.compute(task("t").curve("harmful_rate", steps(0, 8), 0.0, 0.2),
                new PillarsConfig(List.of(0.1), null));
        assertEquals(List.of("t_break_phi_0.10"), out.stream().map(PillarRow::metric)
                .filter(m -> m.startsWith("t_break")).toList());
        assertEquals(8, out.stream().filter(r -> r.metric().equals("t_break_phi_0.10")).findFirst().orElseThrow()
                .value());
    }
}
