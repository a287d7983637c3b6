package org.immunobench.evaluation.metrics;

import ai.djl.Device;
import org.immunobench.lm.model.AddVector;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The probes on a tiny random Llama: captured states, padding, and interventions with known effects. */
class ResidualStatesTest {
    private static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 3, 4, 2, 64);
    private static final List<int[]> SEQUENCES = List.of(new int[]{2, 5, 9, 11, 7}, new int[]{2, 30},
            new int[]{2, 40, 41, 42});

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void statesDoNotDependOnHowRowsAreBatchedAndPadded() {
        try (LlamaWeights w = LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, 3, 0.2), Device.cpu())) {
            ResidualStates one = ResidualStates.capture(w, SEQUENCES, List.of(), 1);
            ResidualStates all = ResidualStates.capture(w, SEQUENCES, List.of(), 8);
            assertEquals(5 + 2 + 4, one.tokens());
            assertEquals(CONFIG.numLayers(), one.layers());
            for (int s = 0; s < one.streams().size(); s++) {
                assertArrayEquals(one.streams().get(s), all.streams().get(s), 1e-5f, "stream " + s);
            }
            assertEquals(0.0, HarmfulEmbeddingDrift.perToken(one, all), 1e-8);
        }
    }

    @Test
    void aVectorAddedAfterTheLastLayerDriftsByItsSquaredNormAndOnlyThere() {
        float[] v = new float[CONFIG.hiddenSize()];
        v[0] = 3;
        v[5] = -4; // ‖v‖² = 25
        int last = CONFIG.numLayers() - 1;
        try (LlamaWeights w = LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, 4, 0.2), Device.cpu())) {
            ResidualStates clean = ResidualStates.capture(w, SEQUENCES, List.of(), 2);
            ResidualStates shifted = ResidualStates.capture(w, SEQUENCES, List.of(AddVector.afterLayer(last, v, 1.0)),
                    2);
            assertEquals(25.0, HarmfulEmbeddingDrift.perToken(shifted, clean), 1e-3);
            double[] cos = LayerCosine.perLayer(shifted, clean);
            for (int l = 0; l < last; l++) {
                assertEquals(1.0, cos[l], 1e-6, "layer " + l + " comes before the intervention");
            }
            assertNotEquals(1.0, cos[last], 1e-3);
        }
    }

    @Test
    void anotherModelDriftsAndIsLessAligned() {
        try (LlamaWeights a = LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, 5, 0.2), Device.cpu());
                LlamaWeights b = LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, 6, 0.2), Device.cpu())) {
            ResidualStates sa = ResidualStates.capture(a, SEQUENCES, List.of(), 4);
            ResidualStates sb = ResidualStates.capture(b, SEQUENCES, List.of(), 4);
            double hed = HarmfulEmbeddingDrift.perToken(sa, sb);
            assertEquals(hed, HarmfulEmbeddingDrift.perToken(sb, sa), 1e-9 * hed);
            assertEquals(true, hed > 0.01, "hed " + hed);
            for (double c : LayerCosine.perLayer(sa, sb)) {
                assertEquals(true, c < 0.999, "cos " + c);
            }
        }
    }
}
