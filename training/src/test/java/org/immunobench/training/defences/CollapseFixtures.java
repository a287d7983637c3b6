package org.immunobench.training.defences;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.immunobench.training.testing.WeightChecks.bitIdentical;
import static org.immunobench.training.testing.WeightChecks.snapshot;
import static org.immunobench.training.testing.WeightChecks.zeroGradients;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny random Llama and a tiny defender data set with disjoint vocabularies per stream, for the collapse-style
 * defences' tests. Ids: 0 pad, 2 BOS, 3 EOS; 4–15 harmful-prompt words (15 plays "assistant :"), 16–27 harmful
 * answers, 28–33 refusals, 34–40 benign prompts, 41–47 benign answers.
 */
final class CollapseFixtures {
    static final int EOS = 3;
    /** V 48, D 16, I 32, 2 layers, 4 heads, 2 KV heads, 64 positions. */
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 2, 4, 2, 64)
            .withSpecialTokens(2, List.of(EOS), 0);

    private CollapseFixtures() {
    }

    static LlamaWeights model(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    static int[] harmfulPrompt(int i) {
        return new int[] {2, 4 + i % 6, 10 + i % 5, 15};
    }

    static int[] harmfulAnswer(int i) {
        return new int[] {16 + i % 6, 22 + i % 4, 16 + (i + 3) % 6, 26, EOS};
    }

    static int[] refusal(int i) {
        return new int[] {28, 29, 30 + i % 3, 33, EOS};
    }

    static List<int[]> harmfulPrompts(int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(harmfulPrompt(i));
        }
        return out;
    }

    static List<TrainingExample> alignment(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TrainingExample.promptResponse(harmfulPrompt(i), refusal(i)));
        }
        return out;
    }

    static List<TrainingExample> harmful(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TrainingExample.promptResponse(harmfulPrompt(i), harmfulAnswer(i)));
        }
        return out;
    }

    static List<TrainingExample> benign(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = {2, 34 + i % 4, 38 + i % 3, 15};
            int[] answer = i % 2 == 0 ? new int[] {41 + i % 7, 47, EOS}
                    : new int[] {41 + i % 7, 41 + (i + 2) % 7, 41 + (i + 4) % 7, EOS};
            out.add(TrainingExample.promptResponse(prompt, answer));
        }
        return out;
    }

    static DefenceData data() {
        return new DefenceData(alignment(6), harmful(6), benign(8), harmfulPrompts(6), List.of(), null);
    }

    /**
     * Runs {@code body} with {@code w}'s arrays set up as the trainer sets them for an objective: requiring
     * gradients, gradients zero, grad mode off on this thread (all undone afterwards).
     */
    static void asTrainer(LlamaWeights w, java.util.function.Consumer<List<NDArray>> body) {
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

    static StepContext context(LlamaWeights w, List<NDArray> params, int step) {
        return new StepContext(w, params, step, DefenceTraining.config(10, 1e-3, 2, 1).withLogEvery(0));
    }

    /**
     * log softmax of the logits at every target position of {@code examples} (in batch order), in double on the
     * host from a plain all-logits forward pass: the independent reference for the defences' losses.
     */
    static double[][] targetLogSoftmax(LlamaWeights w, List<TrainingExample> examples) {
        ResponseBatch batch = ResponseBatch.of(examples);
        int v = w.config().vocabSize();
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
            NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
            float[] logits = LlamaForward.forward(w, tokens, mask, ForwardOptions.allLogits(), null).logits()
                    .toFloatArray(); // (B, T, V)
            double[][] out = new double[batch.targets()][];
            for (int i = 0; i < out.length; i++) {
                int base = (int) batch.targetPositions()[i] * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[base + k]);
                }
                double sum = 0;
                for (int k = 0; k < v; k++) {
                    sum += Math.exp(logits[base + k] - max);
                }
                double lse = max + Math.log(sum);
                out[i] = new double[v];
                for (int k = 0; k < v; k++) {
                    out[i][k] = logits[base + k] - lse;
                }
            }
            return out;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Runs defence {@code name} through the registry twice on the same tiny model with the same seed: both complete,
     * change the weights, report their metrics (every key in {@code metrics}) and end bit-identical.
     */
    static void assertRunsReproducibly(String name, Map<String, Object> config, List<String> metrics) {
        Map<String, float[]> initial;
        Map<String, float[]> first;
        try (LlamaWeights w = model(3)) {
            initial = snapshot(w);
            DefenceResult r = Defences.create(name, config, 17, "defences[0].config").apply(w, data());
            assertEquals("completed", r.status(), r.toString());
            assertEquals(((Number) config.get("steps")).intValue(), r.steps());
            for (String m : metrics) {
                assertTrue(r.metrics().containsKey(m), m + " missing from " + r.metrics().keySet());
                assertTrue(Double.isFinite(r.metrics().get(m)), m + " = " + r.metrics().get(m));
            }
            first = snapshot(w);
            assertFalse(bitIdentical(initial, first), name + " left the weights unchanged");
        }
        try (LlamaWeights w = model(3)) {
            Defences.create(name, config, 17, "defences[0].config").apply(w, data());
            assertTrue(bitIdentical(first, snapshot(w)), name + ": same seed, different weights");
        }
    }
}
