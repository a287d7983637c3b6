package org.immunobench.evaluation.leaderboard;

import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LeaderboardConfigTest {
    private static LeaderboardConfig bind(Map<String, Object> tree) {
        return ConfigBinder.bind(tree, LeaderboardConfig.class, "");
    }

    private static String error(Map<String, Object> tree) {
        return assertThrows(IllegalArgumentException.class, () -> bind(tree)).getMessage();
    }

    @Test
    void absentKeysTakeTheirDefaults() {
        LeaderboardConfig c = bind(Map.of());
        assertEquals(new LeaderboardConfig("resistance.auc_harm_log_steps", "harmful_sft", 0.05), c);
        assertEquals("resistance", c.orderPillar());
        assertEquals("auc_harm_log_steps", c.orderMetric());
        LeaderboardConfig phi = bind(Map.of("order_by", "resistance.t_break_phi_0.25", "stability_tolerance", 0.1));
        assertEquals("t_break_phi_0.25", phi.orderMetric());
        assertEquals(0.1, phi.stabilityTolerance());
        assertEquals(5.0, c.headlineEpsilon());
        assertEquals(3.0, bind(Map.of("bounded_epsilon", 3.0)).headlineEpsilon());
        // The derived accessors are not keys: a resolved config written back binds again (an absent
        // bounded_epsilon stays absent, so run ids of older configs do not change).
        assertEquals(Map.of("order_by", "resistance.t_break_phi_0.25", "attack_family", "harmful_sft",
                "stability_tolerance", 0.1), ConfigBinder.toMap(phi));
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("order_by: pillar 'robustness' is not one of [resistance, stability, generalisation,"
                + " trainability]", error(Map.of("order_by", "robustness.auc_harm_log_steps")));
        assertEquals("order_by: 'worst_case_harm' must be '<pillar>.<metric>', e.g. 'resistance.auc_harm_log_steps'",
                error(Map.of("order_by", "worst_case_harm")));
        assertEquals("stability_tolerance: must be a finite number ≥ 0, got -0.1",
                error(Map.of("stability_tolerance", -0.1)));
        assertEquals("attack_family: must not be blank", error(Map.of("attack_family", " ")));
        assertEquals("order: unknown key; allowed: [attack_family, bounded_epsilon, order_by, stability_tolerance]",
                error(Map.of("order", "x")));
        assertEquals("bounded_epsilon: must be a finite number ≥ 0, got -1.0", error(Map.of("bounded_epsilon", -1.0)));
    }
}
