package org.immunobench.training.attacks;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RefusalDirectionsTest {
    /** Stream entering layer l at the last token of one unpadded prompt. */
    static float[] lastToken(LlamaWeights w, int[] prompt, int layer) {
        long[] ids = new long[prompt.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = prompt[i];
        }
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return LlamaForward.forward(w, scope.create(ids, new Shape(1, ids.length)), null,
                    ForwardOptions.hiddenOnly().withCapture(), null).hiddenStates().get(layer)
                    .get("0, " + (ids.length - 1) + ", :").toFloatArray();
        }
    }

    @Test
    void differenceInMeansOfLeftPaddedBatchesMatchesPerPromptStreams() {
        DjlRuntime.start(1);
        ModelConfig c = ModelConfig.llama(40, 16, 32, 3, 4, 2, 64);
        try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 5, 0.3), Device.cpu())) {
            List<int[]> harmful = List.of(new int[] {1, 7, 8, 9, 30}, new int[] {1, 11, 30});
            List<int[]> harmless = List.of(new int[] {1, 20, 21, 30}, new int[] {1, 22, 23, 24, 25, 30});
            float[][][] dirs = RefusalDirections.differenceInMeans(w, harmful, harmless, 2, 2);
            for (int layer = 0; layer < c.numLayers(); layer++) {
                float[] h0 = lastToken(w, harmful.get(0), layer);
                float[] h1 = lastToken(w, harmful.get(1), layer);
                float[] n0 = lastToken(w, harmless.get(0), layer);
                float[] n1 = lastToken(w, harmless.get(1), layer);
                for (int k = 0; k < c.hiddenSize(); k++) {
                    double expected = (h0[k] + h1[k]) / 2.0 - (n0[k] + n1[k]) / 2.0;
                    assertEquals(expected, dirs[layer][0][k], 1e-4, "layer " + layer + " dim " + k);
                }
            }
            float[][][] same = RefusalDirections.differenceInMeans(w, harmful, harmful, 2, 1);
            for (float[][] layer : same) {
                for (float[] pos : layer) {
                    for (float x : pos) {
                        assertEquals(0f, x, 1e-5f);
                    }
                }
            }
        }
    }
}
