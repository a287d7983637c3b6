package org.immunobench.evaluation.leaderboard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WinRatesTest {
    private static WinRates.Entry e(String row, String family, double value) {
        return new WinRates.Entry(row, family, value);
    }

    @Test
    void winRatesOfAHandMadeTable() {
        // auc (lower wins):      sft    lora   rl
        //   a                   0.1    0.5    0.3
        //   b                   0.2    0.5    NaN  (not a player under rl)
        //   c                   0.3    0.1    0.2
        double nan = Double.NaN;
        WinRates w = WinRates.of("resistance", "auc_harm_log_steps", false, List.of(
                e("a", "sft", 0.1), e("a", "lora", 0.5), e("a", "rl", 0.3),
                e("b", "sft", 0.2), e("b", "lora", 0.5), e("b", "rl", nan),
                e("c", "sft", 0.3), e("c", "lora", 0.1), e("c", "rl", 0.2)));
        assertEquals(List.of("lora", "rl", "sft"), w.families());
        // sft: a beats b and c; b beats c; c beats none.
        assertEquals(1.0, w.rate("a", "sft"));
        assertEquals(0.5, w.rate("b", "sft"));
        assertEquals(0.0, w.rate("c", "sft"));
        // lora: a and b tie (half a win each) and both lose to c.
        assertEquals(0.25, w.rate("a", "lora"));
        assertEquals(0.25, w.rate("b", "lora"));
        assertEquals(1.0, w.rate("c", "lora"));
        // rl: two players only.
        assertEquals(0.0, w.rate("a", "rl"));
        assertEquals(1.0, w.rate("c", "rl"));
        assertNull(w.rate("b", "rl"));
        assertEquals((1.0 + 0.25 + 0.0) / 3, w.mean("a"), 1e-12);
        assertEquals((0.5 + 0.25) / 2, w.mean("b"), 1e-12);
        assertEquals((0.0 + 1.0 + 1.0) / 3, w.mean("c"), 1e-12);
    }

    @Test
    void higherIsBetterFiguresWinHighAndNeverBrokeTiesNeverBroke() {
        double inf = Double.POSITIVE_INFINITY;
        WinRates w = WinRates.of("resistance", "t_break_phi_0.50", true, List.of(e("a", "sft", inf),
                e("b", "sft", inf), e("c", "sft", 8)));
        assertEquals(0.75, w.rate("a", "sft"));
        assertEquals(0.75, w.rate("b", "sft"));
        assertEquals(0.0, w.rate("c", "sft"));
    }

    @Test
    void aFamilyWithOnePlayerDefinesNoRate() {
        WinRates w = WinRates.of("resistance", "auc_harm_log_steps", false, List.of(e("a", "sft", 0.1)));
        assertEquals(List.of("sft"), w.families());
        assertNull(w.rate("a", "sft"));
        assertNull(w.mean("a"));
    }
}
