package org.immunobench.jobs.search;

import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DimensionTest {
    private static Dimension bind(Map<String, Object> tree) {
        return ConfigBinder.bind(tree, Dimension.class, "space.lr");
    }

    @Test
    void logUniformSpansTheRangeOnALogScale() {
        Dimension lr = bind(Map.of("log_uniform", List.of(1.0e-5, 1.0e-1)));
        assertEquals(1.0e-5, Double.parseDouble(lr.value(0)), 1e-12);
        assertEquals(1.0e-3, Double.parseDouble(lr.value(0.5)), 1e-9);
        assertTrue(Double.parseDouble(lr.value(0.999999)) <= 0.1);
        assertEquals("0.0001235", bind(Map.of("uniform", List.of(0.0, 1.0))).value(0.00012346));
    }

    @Test
    void integersIncludeBothEndsAndNullChoicesLeaveTheKeyUnset() {
        Dimension steps = bind(Map.of("int_uniform", List.of(2, 4)));
        assertEquals("2", steps.value(0));
        assertEquals("3", steps.value(0.5));
        assertEquals("4", steps.value(0.99));
        Dimension rank = bind(Map.of("choice", Arrays.asList(null, 4, 16)));
        assertNull(rank.value(0.1));
        assertEquals("4", rank.value(0.5));
        assertEquals("16", rank.value(0.9));
    }

    @Test
    void badDimensionsNameTheirKey() {
        assertEquals("space.lr: exactly one of log_uniform, uniform, int_uniform, choice must be given, got 2",
                assertThrows(IllegalArgumentException.class, () -> bind(Map.of("uniform", List.of(0.0, 1.0),
                        "choice", List.of(1)))).getMessage());
        assertEquals("space.lr.log_uniform: the lower end must be > 0, got 0.0", assertThrows(
                IllegalArgumentException.class, () -> bind(Map.of("log_uniform", List.of(0.0, 1.0)))).getMessage());
        assertEquals("space.lr.uniform: expected [lo, hi] with finite lo < hi, got [1.0, 1.0]", assertThrows(
                IllegalArgumentException.class, () -> bind(Map.of("uniform", List.of(1.0, 1.0)))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> bind(Map.of("normal", List.of(0, 1))))
                .getMessage().startsWith("space.lr.normal: unknown key"));
    }
}
