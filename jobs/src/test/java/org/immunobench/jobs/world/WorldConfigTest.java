package org.immunobench.jobs.world;

import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldConfigTest {

    @Test
    void defaultsAreValidAndRoundTripThroughTheirMap() {
        WorldConfig d = WorldConfig.defaults();
        assertEquals(10, d.harmDomains());
        assertEquals(2, d.heldOutDomains());
        assertEquals(d, d.with(ConfigBinder.toMap(d)));
        assertEquals(d, ConfigBinder.bind(ConfigBinder.toMap(d), WorldConfig.class, ""));
        // framedPretrainPerTask is off (null) by default and then left out of the map, so old stamps stay valid.
        assertEquals(WorldConfig.keys().stream().filter(k -> !k.equals("framedPretrainPerTask")).toList(),
                ConfigBinder.toMap(d).keySet().stream().toList());
    }

    @Test
    void overridesTakeNumbersNotStrings() {
        WorldConfig c = WorldConfig.defaults().with(Map.of("seed", 42, "harmDomains", 12, "evalPerDomain", 7L));
        assertEquals(42, c.seed());
        assertEquals(12, c.harmDomains());
        assertEquals(7, c.evalPerDomain());
        // Flags parse their strings first (world --set); the binder coerces no string to a number.
        assertMessage("seed: expected an integer, got '42'", Map.of("seed", "42"));
    }

    @Test
    void errorsNameTheKey() {
        assertMessage("harmDomains", Map.of("harmDomains", 7));
        assertMessage("heldOutDomains", Map.of("heldOutDomains", 10));
        assertMessage("minRecipeSteps", Map.of("minHarmfulSteps", 4));
        assertMessage("maxRecipeSteps", Map.of("maxRecipeSteps", 2));
        assertMessage("actionsPerDomain", Map.of("actionsPerDomain", 3));
        assertMessage("maxOperand", Map.of("maxOperand", 100));
        assertMessage("attackPerDomain", Map.of("attackPerDomain", -1));
        assertMessage("seed", Map.of("seed", "x"));
        assertMessage("domains: unknown key; allowed: [actionsPerDomain, alignBenignPerTask,", Map.of("domains", 3));
    }

    private static void assertMessage(String expected, Map<String, ?> overrides) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorldConfig.defaults().with(overrides));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
