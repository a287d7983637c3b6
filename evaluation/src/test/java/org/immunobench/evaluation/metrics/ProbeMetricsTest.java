package org.immunobench.evaluation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HED, the per-layer cosine and perplexity drift on hand-computed cases. */
class ProbeMetricsTest {
    /** 2 tokens, D = 2, embeddings + 2 layers; each stream lists token 0's vector, then token 1's. */
    private static ResidualStates states(float[] embeddings, float[] layer0, float[] layer1) {
        return new ResidualStates(2, 2, List.of(embeddings, layer0, layer1));
    }

    @Test
    void hedIsTheMeanOverTokensOfTheSquaredDistanceSummedOverLayers() {
        ResidualStates now = states(new float[]{9, 9, 9, 9}, new float[]{1, 0, 0, 2}, new float[]{1, 1, 1, 1});
        ResidualStates ref = states(new float[]{0, 0, 0, 0}, new float[]{0, 0, 0, 0}, new float[]{1, 1, 0, 1});
        // layer 0: ‖(1,0)‖² + ‖(0,2)‖² = 1 + 4; layer 1: 0 + ‖(1,0)‖² = 1; embeddings ignored; / 2 tokens
        assertEquals((1 + 4 + 1) / 2.0, HarmfulEmbeddingDrift.perToken(now, ref), 1e-12);
        assertEquals(0.0, HarmfulEmbeddingDrift.perToken(now, now), 0.0);
    }

    @Test
    void cosineIsTheMeanOverTokensPerLayer() {
        ResidualStates now = states(new float[4], new float[]{1, 0, 1, 1}, new float[]{1, 0, 3, 4});
        ResidualStates ref = states(new float[4], new float[]{0, 1, 2, 2}, new float[]{-1, 0, 4, 3});
        // layer 0: cos((1,0),(0,1)) = 0, cos((1,1),(2,2)) = 1; layer 1: −1 and 24/25
        assertArrayEquals(new double[]{0.5, (-1 + 24.0 / 25) / 2}, LayerCosine.perLayer(now, ref), 1e-12);
    }

    @Test
    void aZeroVectorHasCosineZero() {
        ResidualStates now = states(new float[4], new float[]{0, 0, 1, 0}, new float[]{1, 0, 1, 0});
        ResidualStates ref = states(new float[4], new float[]{3, 4, 1, 0}, new float[]{0, 0, 0, 0});
        assertArrayEquals(new double[]{0.5, 0.0}, LayerCosine.perLayer(now, ref), 1e-12);
    }

    @Test
    void statesOfAnotherShapeAreRefused() {
        ResidualStates a = states(new float[4], new float[4], new float[4]);
        ResidualStates b = new ResidualStates(2, 1, List.of(new float[2], new float[2], new float[2]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HarmfulEmbeddingDrift.perToken(a, b));
        assertTrue(e.getMessage().contains("differ in shape"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerCosine.perLayer(a, b));
        assertThrows(IllegalArgumentException.class,
                () -> new ResidualStates(2, 2, List.of(new float[4], new float[3])));
    }

    @Test
    void perplexityAndItsDriftAgainstTheParent() {
        assertEquals(2.0, PerplexityDrift.perplexity(2 * Math.log(2), 2), 1e-12);
        // model: mean NLL ln 4 (ppl 4); parent: mean NLL ln 2 (ppl 2)
        assertEquals(2.0, PerplexityDrift.drift(3 * Math.log(4), 3, 5 * Math.log(2), 5), 1e-12);
        assertEquals(1.0, PerplexityDrift.drift(1.7, 4, 1.7, 4), 0.0);
        assertThrows(IllegalArgumentException.class, () -> PerplexityDrift.perplexity(0, 0));
        assertThrows(IllegalArgumentException.class, () -> PerplexityDrift.drift(-1, 3, 1, 1));
        assertTrue(Double.isNaN(PerplexityDrift.drift(Double.NaN, 3, 1, 1)));
    }
}
