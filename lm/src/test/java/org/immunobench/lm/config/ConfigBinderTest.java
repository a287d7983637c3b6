package org.immunobench.lm.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigBinderTest {
    record Inner(double learningRate, int steps) {
        Inner {
            if (steps <= 0) {
                throw new IllegalArgumentException("steps must be > 0, got " + steps);
            }
        }
    }

    record Outer(String name, List<Inner> runs) {
    }

    record Wrapper(Window w) {
    }

    /** Names its own key first, so the binder can join it to the record's path. */
    record Window(Integer size) {
        Window {
            if (size == null || size < 1) {
                throw new IllegalArgumentException("size: must be >= 1, got " + size);
            }
        }
    }

    @Test
    void bindsSnakeCaseKeysToRecords() {
        Outer o = ConfigBinder.bind(Map.of("name", "x", "runs", List.of(Map.of("learning_rate", 0.5, "steps", 3))),
                Outer.class, "");
        assertEquals(new Outer("x", List.of(new Inner(0.5, 3))), o);
        assertEquals(Map.of("name", "x", "runs", List.of(Map.of("learning_rate", 0.5, "steps", 3))),
                ConfigBinder.toMap(o));
    }

    @Test
    void unknownKeyNamesItsPathAndTheAllowedKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(
                Map.of("name", "x", "runs", List.of(Map.of("steps", 1, "learning_rate", 1), Map.of("stesp", 2, "steps", 1, "learning_rate", 1))), Outer.class, "exp"));
        assertEquals("exp.runs[1].stesp: unknown key; allowed in exp.runs[1]: [learning_rate, steps]",
                e.getMessage());
    }

    @Test
    void recordChecksAndTypeErrorsNameTheKey() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(
                Map.of("runs", List.of(Map.of("steps", 0, "learning_rate", 1))), Outer.class, ""));
        assertEquals("runs[0]: steps must be > 0, got 0", bad.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(
                Map.of("runs", List.of(Map.of("steps", "many", "learning_rate", 1))), Outer.class, ""));
        assertEquals("runs[0].steps: expected an integer, got 'many'", type.getMessage());
        IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(
                Map.of("runs", List.of(Map.of("steps", 2.5, "learning_rate", 1))), Outer.class, ""));
        assertEquals("runs[0].steps: expected an integer, got '2.5'", fraction.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(
                Map.of("runs", List.of(Map.of("steps", 2))), Outer.class, ""));
        assertEquals("runs[0].learning_rate: missing (a number is required)", missing.getMessage());
    }

    @Test
    void aCheckNamingItsOwnKeyIsJoinedToTheRecordsPath() {
        assertEquals("dedup.window.size: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> ConfigBinder.bind(Map.of("size", 0), Window.class, "dedup.window")).getMessage());
        assertEquals("size: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> ConfigBinder.bind(Map.of("size", 0), Window.class, "")).getMessage());
    }

    @Test
    void anUnknownKeyIsReportedEvenWhenTheRecordsCheckFailsToo() {
        // "sise" leaves size unset, which the check rejects; the misspelt key is the cause worth naming.
        assertEquals("w.sise: unknown key; allowed in w: [size]", assertThrows(IllegalArgumentException.class,
                () -> ConfigBinder.bind(Map.of("w", Map.of("sise", 3)), Wrapper.class, "")).getMessage());
    }
}
