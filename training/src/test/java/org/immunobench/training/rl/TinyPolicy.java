package org.immunobench.training.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.immunobench.training.testing.WeightChecks.zeroGradients;

/** A tiny random Llama (V 24, D 16, 2 layers) and a handful of prompts for the RL tests. Ids: 2 BOS, 3 EOS. */
final class TinyPolicy {
    static final int EOS = 3;
    static final ModelConfig CONFIG = ModelConfig.llama(24, 16, 32, 2, 4, 2, 64).withSpecialTokens(2, List.of(EOS), 0);

    private TinyPolicy() {
    }

    static LlamaWeights model(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    static List<int[]> prompts(int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new int[] {2, 4 + i % 5, 9 + i % 3});
        }
        return out;
    }

    /** Two prompts × 2 rollouts of unequal lengths (3, 1, 2, 4 completion tokens). */
    static RolloutBatch batch() {
        List<int[]> prompts = prompts(2);
        return RolloutBatch.of(List.of(prompts.get(0), prompts.get(0), prompts.get(1), prompts.get(1)),
                List.of(new int[] {12, 13, EOS}, new int[] {14}, new int[] {15, 16}, new int[] {17, 12, 18, EOS}),
                new int[] {0, 0, 1, 1});
    }

    /** Runs {@code body} with every weight requiring gradients, gradients zero and grad mode off, as in the trainer. */
    static void asTrainer(LlamaWeights w, Consumer<List<NDArray>> body) {
        List<NDArray> params = w.trainable(false);
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (NDArray p : params) {
                p.setRequiresGradient(true);
            }
            zeroGradients(params);
            body.accept(params);
        } finally {
            zeroGradients(params);
            for (NDArray p : params) {
                p.setRequiresGradient(false);
            }
            JniUtils.setGradMode(previous);
        }
    }
}
