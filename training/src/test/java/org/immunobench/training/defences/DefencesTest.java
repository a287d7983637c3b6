package org.immunobench.training.defences;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefencesTest {
    static final String PATH = "defences[1].config";

    static String error(String name, Object config) {
        return assertThrows(IllegalArgumentException.class, () -> Defences.create(name, config, 7, PATH))
                .getMessage();
    }

    private static final String KNOWN = Defences.names().toString();

    @Test
    void registryListsEveryDefenceByName() {
        // Sorted, and holding at least the defences of the first two issues; each new defence adds one name.
        assertEquals(Defences.names().stream().sorted().toList(), Defences.names());
        assertTrue(Defences.names().containsAll(List.of("booster", "circuit_breakers", "ctrap", "deep_alignment",
                "lox", "mlac", "none", "repnoise", "sdd", "t_vaccine", "tar", "token_buncher", "vaccine")),
                Defences.names().toString());
        for (String name : Defences.names()) {
            assertEquals(name, Defences.create(name, null, 1, PATH).name());
        }
        assertInstanceOf(NoDefence.class, Defences.create("none", Map.of(), 1, PATH));
    }

    @Test
    void unknownNameNamesTheKeyAndTheKnownDefences() {
        assertEquals("defences[1].name 'foo' is unknown; known: " + KNOWN, error("foo", null));
        assertEquals("defences[1].name is missing; known: " + KNOWN, error(null, null));
        assertEquals("name 'foo' is unknown; known: " + KNOWN,
                assertThrows(IllegalArgumentException.class, () -> Defences.create("foo", null, 1, "")).getMessage());
        assertEquals("defences[0].name 'x' is unknown; known: " + KNOWN,
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.resolvedConfig("x", null, "defences[0].config")).getMessage());
    }

    @Test
    void configErrorsNameTheirPath() {
        assertEquals("defences[1].config.rnak: unknown key; allowed in defences[1].config: [alpha,"
                + " include_embeddings, rank]", error("lox", Map.of("rnak", 3)));
        assertEquals("defences[1].config.rank: expected an integer, got 'six'", error("lox", Map.of("rank", "six")));
        assertEquals("defences[1].config: rank must be >= 0, got -1", error("lox", Map.of("rank", -1)));
        assertEquals("defences[1].config: alpha must be a finite number >= 0, got -0.5",
                error("lox", Map.of("alpha", -0.5)));
        assertEquals("defences[1].config.x: unknown key; allowed in defences[1].config: []",
                error("none", Map.of("x", 1)));
    }

    @Test
    void configIsBoundWithDefaultsForMissingKeys() {
        Lox lox = (Lox) Defences.create("lox", Map.of("rank", 3, "include_embeddings", true), 1, PATH);
        assertEquals(new Lox.LoxConfig(3, 0.5, true), lox.config());
        Map<String, Object> nullKey = new LinkedHashMap<>();
        nullKey.put("alpha", null); // `alpha:` with no value in YAML means the default
        assertEquals(Lox.LoxConfig.defaults(), ((Lox) Defences.create("lox", nullKey, 1, PATH)).config());
        assertEquals(new Lox.LoxConfig(6, 0.5, false), ((Lox) Defences.create("lox", null, 1, PATH)).config());
    }

    @Test
    void resolvedConfigFillsEveryDefault() {
        assertEquals(Map.of("rank", 6, "alpha", 0.5, "include_embeddings", false),
                Defences.resolvedConfig("lox", null, PATH));
        assertEquals(Map.of("rank", 0, "alpha", 0.5, "include_embeddings", false),
                Defences.resolvedConfig("lox", Map.of("rank", 0), PATH));
        assertEquals(Map.of(), Defences.resolvedConfig("none", Map.of(), PATH));
        assertEquals(List.of("rank", "alpha", "include_embeddings"),
                List.copyOf(Defences.resolvedConfig("lox", Map.of(), PATH).keySet()), "declaration order");
    }
}
