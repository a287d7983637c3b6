package org.immunobench.training.attacks;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.ProjectOut;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightOrthogonalisationTest {
    static float[] logits(LlamaWeights w, long[] tokens, ForwardOptions options) {
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return LlamaForward.forward(w, scope.create(tokens, new Shape(1, tokens.length)), null, options, null)
                    .logits().toFloatArray();
        }
    }

    /**
     * Orthogonalised weights give the same logits as directional ablation at every hook point, also after a save
     * and reload as an ordinary checkpoint.
     */
    @Test
    void orthogonalisedWeightsEqualInferenceTimeAblation(@TempDir Path tmp) {
        DjlRuntime.start(2);
        ModelConfig c = new ModelConfig("llama", 40, 24, 48, 3, 4, 2, 6, 1e-5, 10000.0, null, 64, false, true,
                false, null, null, List.of(), null); // attention_bias: o_proj bias is orthogonalised too
        Random r = new Random(3);
        float[] dir = new float[c.hiddenSize()];
        for (int i = 0; i < dir.length; i++) {
            dir[i] = (float) r.nextGaussian();
        }
        long[] tokens = {1, 5, 9, 13, 17, 21, 25, 29};
        try (LlamaWeights ablated = LlamaWeights.fromHost(c, RandomInit.weights(c, 4, 0.2), Device.cpu());
                LlamaWeights ortho = LlamaWeights.fromHost(c, RandomInit.weights(c, 4, 0.2), Device.cpu())) {
            float[] plain = logits(ablated, tokens, ForwardOptions.allLogits());
            float[] viaHook = logits(ablated, tokens, ForwardOptions.allLogits()
                    .withInterventions(List.of(ProjectOut.everywhere(dir))));
            WeightOrthogonalisation.apply(ortho, dir);
            float[] viaWeights = logits(ortho, tokens, ForwardOptions.allLogits());
            double diff = 0;
            double effect = 0;
            for (int i = 0; i < plain.length; i++) {
                diff = Math.max(diff, Math.abs(viaHook[i] - viaWeights[i]));
                effect = Math.max(effect, Math.abs(viaHook[i] - plain[i]));
            }
            System.out.printf("orthogonalisation vs ablation: max logit diff %.2e (ablation itself moves logits by"
                    + " %.2e)%n", diff, effect);
            assertTrue(effect > 1e-3, "ablation must change something");
            assertTrue(diff < 1e-4, "diff " + diff);
            // A standalone checkpoint: written in the HF layout and read back by the ordinary loader, it still
            // behaves as the ablated model with no intervention configured.
            CheckpointWriter.write(tmp.resolve("abliterated"), c, ortho.toHost(), null, "F32");
            CheckpointReader.LoadedCheckpoint back = CheckpointReader.read(tmp.resolve("abliterated"));
            try (LlamaWeights reloaded = LlamaWeights.fromHost(back.config(), back.tensors(), Device.cpu())) {
                float[] viaCheckpoint = logits(reloaded, tokens, ForwardOptions.allLogits());
                double reloadDiff = 0;
                for (int i = 0; i < plain.length; i++) {
                    reloadDiff = Math.max(reloadDiff, Math.abs(viaHook[i] - viaCheckpoint[i]));
                }
                assertTrue(reloadDiff < 1e-4, "reloaded checkpoint vs ablation: " + reloadDiff);
            }
        }
    }
}
