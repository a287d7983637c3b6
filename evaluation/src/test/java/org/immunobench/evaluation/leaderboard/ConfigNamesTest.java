package org.immunobench.evaluation.leaderboard;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConfigNamesTest {
    @Test
    void legendsNameOnlyTheHyperParametersThatDiffer() {
        String a = "{\"kind\":\"harmful_sft\",\"params\":{\"batch\":\"8\",\"lr\":\"1.0E-4\"}}";
        String b = "{\"kind\":\"harmful_sft\",\"params\":{\"batch\":\"8\",\"lr\":\"3.0E-4\"}}";
        assertEquals(Map.of(a, "params.lr=1.0E-4", b, "params.lr=3.0E-4"), ConfigNames.of(List.of(a, b)));
        assertEquals(Map.of(a, "one config"), ConfigNames.of(List.of(a)));
        assertEquals(Map.of("{}", "config {}", "x", "config x"), ConfigNames.of(List.of("{}", "x")));
    }
}
