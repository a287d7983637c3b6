package org.immunobench.curation.dedup;

import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinHashConfigTest {
    @Test
    void defaultsAndTheirBandingCurve() {
        MinHashConfig c = MinHashConfig.defaults();
        assertEquals(5, c.shingleSize());
        assertEquals(128, c.numPermutations());
        assertEquals(0.8, c.jaccardThreshold());
        assertEquals(Math.pow(1.0 / 16, 1.0 / 8), c.bandingThreshold(), 1e-12);
        assertEquals(0.707, c.bandingThreshold(), 1e-3);
        // The curve at the verification threshold and at the planted-variant floor of the recall test.
        assertEquals(0.947, c.candidateProbability(0.80), 1e-3);
        assertTrue(c.candidateProbability(0.85) > 0.99);
        assertTrue(c.candidateProbability(0.5) < 0.07);
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertMessage("shingle_size", () -> new MinHashConfig(0, 16, 8, 0.8, 1L, 1000));
        assertMessage("bands", () -> new MinHashConfig(5, 0, 8, 0.8, 1L, 1000));
        assertMessage("rows", () -> new MinHashConfig(5, 16, 0, 0.8, 1L, 1000));
        assertMessage("bands * rows", () -> new MinHashConfig(5, 1000, 1000, 0.8, 1L, 1000));
        assertMessage("jaccard_threshold", () -> new MinHashConfig(5, 16, 8, 0.0, 1L, 1000));
        assertMessage("jaccard_threshold", () -> new MinHashConfig(5, 16, 8, Double.NaN, 1L, 1000));
        assertMessage("max_bucket_size", () -> new MinHashConfig(5, 16, 8, 0.8, 1L, 1));
    }

    @Test
    void bindingTakesDefaultsAndRejectsUnknownKeys() {
        MinHashConfig c = ConfigBinder.bind(Map.of("bands", 9, "rows", 13, "jaccard_threshold", 0.7),
                MinHashConfig.class, "dedup");
        assertEquals(new MinHashConfig(5, 9, 13, 0.7, 1L, 1000), c);
        assertEquals(MinHashConfig.defaults(), ConfigBinder.bind(Map.of(), MinHashConfig.class, "dedup"));
        assertMessage("dedup.band: unknown key; allowed in dedup: [bands, jaccard_threshold, max_bucket_size, rows,"
                + " seed, shingle_size]", () -> ConfigBinder.bind(Map.of("band", 9), MinHashConfig.class, "dedup"));
        assertMessage("dedup.rows: expected an integer, got 'eight'",
                () -> ConfigBinder.bind(Map.of("rows", "eight"), MinHashConfig.class, "dedup"));
        assertMessage("dedup.bands: must be >= 1, got 0",
                () -> ConfigBinder.bind(Map.of("bands", 0), MinHashConfig.class, "dedup"));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(expected), () -> "'" + ex.getMessage() + "' lacks '" + expected + "'");
    }
}
