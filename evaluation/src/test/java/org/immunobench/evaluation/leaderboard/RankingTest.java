package org.immunobench.evaluation.leaderboard;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ranks not separated by their intervals (or with equal values) are ties; a chain of overlaps is one tie. */
class RankingTest {
    private static final String KEY = "resistance.auc_harm_log_steps";
    private static final OrderingRule RULE = new OrderingRule(KEY, "harmful_sft", false, 0.05);
    private static final double NAN = Double.NaN;

    private static PillarPivot.Pivoted row(String defence, double value, double low, double high) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(KEY, value);
        return new PillarPivot.Pivoted(defence, defence + "-ck", values, 2, 0.01, low, high, false);
    }

    private static List<String> ranks(PillarPivot.Pivoted... rows) {
        List<LeaderboardColumn> columns = List.of(LeaderboardColumn.ofKey(KEY));
        List<String> out = new ArrayList<>();
        for (LeaderboardRow r : Ranking.rank(List.of(rows), columns, RULE)) {
            out.add(r.defence() + ":" + r.cells().get(0));
        }
        return out;
    }

    @Test
    void separatedIntervalsRankApartOverlappingOnesTie() {
        assertEquals(List.of("a:1", "b:2", "c:3"), ranks(row("a", 0.1, 0.05, 0.15), row("b", 0.3, 0.25, 0.35),
                row("c", 0.5, 0.45, 0.55)));
        assertEquals(List.of("a:=1", "b:=1", "c:3"), ranks(row("a", 0.1, 0.05, 0.26), row("b", 0.3, 0.25, 0.35),
                row("c", 0.5, 0.45, 0.55)));
        // Touching ends overlap.
        assertEquals(List.of("a:=1", "b:=1", "c:3"), ranks(row("a", 0.1, 0.05, 0.25), row("b", 0.3, 0.25, 0.35),
                row("c", 0.5, 0.45, 0.55)));
    }

    @Test
    void aChainOfOverlapsIsOneTieEvenWhenItsEndsAreApart() {
        // a overlaps b, b overlaps c, a and c are apart: all share rank 1.
        assertEquals(List.of("a:=1", "b:=1", "c:=1", "d:4"), ranks(row("a", 0.1, 0.0, 0.2),
                row("b", 0.25, 0.15, 0.35), row("c", 0.4, 0.3, 0.5), row("d", 0.9, 0.8, 1.0)));
    }

    @Test
    void equalValuesTieWithoutIntervalsAndUndefinedIntervalsOtherwiseNeverDo() {
        assertEquals(List.of("a:=1", "b:=1", "c:3"), ranks(row("a", 0.2, NAN, NAN), row("b", 0.2, NAN, NAN),
                row("c", 0.21, NAN, NAN)));
        assertEquals(List.of("a:1", "b:2"), ranks(row("a", 0.2, 0.1, 0.3), row("b", 0.25, NAN, NAN)));
    }
}
