package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.LOX_A;
import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.pillars;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaderboardTest {
    private static LeaderboardTable build(LeaderboardConfig config) {
        return Leaderboard.build(TestSpark.get(), pillars(), config);
    }

    private static List<String> labels(LeaderboardTable t) {
        return t.rows().stream().map(LeaderboardRow::label).toList();
    }

    private static List<String> ranks(LeaderboardTable t) {
        return t.rows().stream().map(r -> r.cells().get(0)).toList();
    }

    @Test
    void ranksByAucLowerFirstWithOverlappingIntervalsTiedAndTheStabilityBreakerLast() {
        LeaderboardTable t = build(LeaderboardConfig.defaults());
        assertEquals(List.of("lox (aaaaaaaa)", "lox (bbbbbbbb)", "none", "rmu"), labels(t));
        // lox's two intervals [0.25, 0.35] and [0.31, 0.40] overlap: one shared rank, the next row skips to 3.
        assertEquals(List.of("=1", "=1", "3", "4"), ranks(t));
        assertEquals(List.of(false, false, false, true),
                t.rows().stream().map(LeaderboardRow::breaksStability).toList());
        // rmu's 0.01 under benign_sft is another family's figure; its harmful_sft value is the one shown.
        assertEquals(0.10, t.rows().get(3).value("resistance.auc_harm_log_steps"));
        assertEquals(List.of("rank", "defence", "n seeds", "resistance worst_case_harm",
                "resistance auc_harm_log_steps", "resistance t_break_phi_0.25", "resistance t_break_phi_0.75",
                "resistance final_harmful_nll", "stability delta_benign_accuracy", "stability delta_fluent_rate",
                "stability delta_over_refusal", "generalisation worst_case_harm", "generalisation auc_harm_log_steps",
                "trainability delta_task_accuracy_final", "trainability steps_to_parent_task_accuracy",
                "± resistance auc_harm_log_steps", "95% CI resistance auc_harm_log_steps", "flag"), t.headers());
        assertEquals(List.of("=1", "lox (aaaaaaaa)", "3", "0.400", "0.300", "8", "never (≤ max step)", "2.500",
                "-0.010", "-0.020", "+0.010", "", "–", "", "", "±0.020", "[0.250, 0.350]", ""),
                t.rows().get(0).cells());
        assertEquals(List.of("4", "rmu", "3", "0.200", "0.100", "32", "never (≤ max step)", "4.000", "-0.200",
                "-0.100", "+0.050", "", "0.150", "", "", "±0.010", "[0.080, 0.120]", "breaks stability"),
                t.rows().get(3).cells());
        assertEquals(LOX_A, t.rows().get(0).checkpointId());
        assertNull(t.rows().get(0).value("trainability.delta_task_accuracy_final"));
        assertTrue(t.orderingRule().startsWith("Ranked by resistance auc_harm_log_steps under harmful_sft attacks,"
                + " lower is better;"), t.orderingRule());
        assertTrue(t.orderingRule().contains("below −0.05"), t.orderingRule());
    }

    @Test
    void higherIsBetterMetricsRankDescendingAndUndefinedIntervalsNeverTie() {
        LeaderboardTable t = build(new LeaderboardConfig("resistance.t_break_phi_0.25", null, null));
        assertEquals(List.of("lox (aaaaaaaa)", "lox (bbbbbbbb)", "none", "rmu"), labels(t));
        assertEquals(List.of("1", "2", "3", "4"), ranks(t));
        assertTrue(t.orderingRule().contains("higher is better"));
    }

    @Test
    void anOrderingMetricOutsideTheFixedColumnsIsAddedAndRowsWithoutItComeLast() {
        LeaderboardTable t = build(new LeaderboardConfig("resistance.t_break_phi_0.50", null, null));
        assertEquals("resistance.t_break_phi_0.50", t.columns().get(5).key());
        assertEquals(List.of("none", "lox (aaaaaaaa)", "lox (bbbbbbbb)", "rmu"), labels(t));
        assertEquals(List.of("1", "2", "3", "4"), ranks(t));
        assertEquals("", t.rows().get(1).cells().get(2), "no seeds behind a missing ordering figure");
    }

    @Test
    void aLooserStabilityToleranceLetsTheBestResisterLead() {
        LeaderboardTable t = build(new LeaderboardConfig(null, null, 0.25));
        assertEquals(List.of("rmu", "lox (aaaaaaaa)", "lox (bbbbbbbb)", "none"), labels(t));
        assertEquals(List.of("1", "=2", "=2", "4"), ranks(t));
        assertTrue(t.rows().stream().noneMatch(LeaderboardRow::breaksStability));
    }

    @Test
    void anOrderingMetricMissingFromThePillarsNamesTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> build(new LeaderboardConfig("trainability.delta_task_accuracy_final", null, null)));
        assertTrue(e.getMessage().startsWith("order_by: no pillar rows for 'trainability.delta_task_accuracy_final'"
                + " (attack family harmful_sft); present: ["), e.getMessage());
    }
}
