package org.immunobench.lm.model;

import org.immunobench.lm.reference.NaiveLlama;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RopeFrequenciesTest {
    /** Production frequencies (incl. linear and llama3 scaling) against the independent reference's. */
    @Test
    void matchTheReferenceForEveryScaling() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            double[] expected = NaiveLlama.inverseFrequencies(c);
            double[] got = RopeFrequencies.inverseFrequencies(c);
            assertEquals(expected.length, got.length);
            for (int k = 0; k < got.length; k++) {
                assertEquals(expected[k], got[k], 1e-12 * Math.abs(expected[k]), c.modelType() + " k=" + k);
            }
        }
    }

    /** Llama 3.1's published setting: factor 8, low 1, high 4, original 8192 at head_dim 128, θ = 500000. */
    @Test
    void llama31HighFrequenciesKeptLowOnesDividedByFactor() {
        ModelConfig c = new ModelConfig("llama", 128, 4096, 64, 1, 32, 8, 128, 1e-5, 500000.0,
                ModelConfig.RopeScaling.llama3(8.0, 1.0, 4.0, 8192), 131072, false, false, false, null, null,
                java.util.List.of(), null);
        double[] inv = RopeFrequencies.inverseFrequencies(c);
        assertEquals(1.0, inv[0], 1e-15); // wavelength 2π < 2048: unchanged
        double unscaledLast = 1.0 / Math.pow(500000.0, 126.0 / 128);
        assertEquals(unscaledLast / 8, inv[63], 1e-18); // wavelength far above 8192: divided by 8
    }
}
