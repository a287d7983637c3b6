package org.immunobench.training.defences;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tiny random Llamas and token streams for the meta-learning defences' tests (TAR, MLAC). Token ids: 1 BOS-like,
 * 2 end, 5–14 harmful prompts, 15–24 benign prompts, 25–34 compliant answers, 35–39 refusals, 40–47 benign answers.
 */
final class MetaFixtures {
    /** V 48, D 16, I 32, 2 layers, 4 heads, 2 KV heads. */
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 2, 4, 2, 64);

    private MetaFixtures() {
    }

    static LlamaWeights tiny(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    /** prompt = 1, then 4 tokens from {@code promptBase}; response = 5 tokens from {@code answerBase}, then 2. */
    static TrainingExample example(int i, int promptBase, int promptSpan, int answerBase, int answerSpan) {
        int[] prompt = {1, promptBase + i % promptSpan, promptBase + (i + 3) % promptSpan,
            promptBase + (2 * i + 1) % promptSpan, promptBase + (3 * i + 2) % promptSpan};
        int[] response = new int[6];
        for (int j = 0; j < 5; j++) {
            response[j] = answerBase + (i + 2 * j) % answerSpan;
        }
        response[5] = 2;
        return TrainingExample.promptResponse(prompt, response);
    }

    static List<TrainingExample> harmful(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 5, 10, 25, 10));
        }
        return out;
    }

    static List<TrainingExample> refusals(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 5, 10, 35, 5));
        }
        return out;
    }

    static List<TrainingExample> benign(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 15, 10, 40, 8));
        }
        return out;
    }

    /** Alignment, harmful and benign streams of {@code n} examples each; no bare prompts, no reference model. */
    static DefenceData data(int n) {
        return new DefenceData(refusals(n), harmful(n), benign(n), List.of(), List.of(), null);
    }

    /** The first {@code size} examples of {@code examples} (in a seeded order) as one padded batch. */
    static PaddedBatch batch(List<TrainingExample> examples, int size) {
        return new SupervisedObjective(examples, 0).next(size);
    }

    /**
     * What the trainer does before its first update: every weight trainable, its gradient zero, grad mode off on
     * this thread (a fresh libtorch thread starts with it on).
     */
    static List<NDArray> trainable(LlamaWeights w) {
        JniUtils.setGradMode(false);
        List<NDArray> params = w.trainable(false);
        for (NDArray p : params) {
            p.setRequiresGradient(true);
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
        return params;
    }

    static StepContext context(LlamaWeights w, List<NDArray> params, int batch) {
        return new StepContext(w, params, 1, TrainerConfig.defaults(1e-3, 1, batch).withLogEvery(0));
    }

    /** Every weight as host floats, by name. */
    static Map<String, float[]> values(LlamaWeights w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.arrays().forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /** Every trainable parameter's gradient as host floats, in parameter order. */
    static List<float[]> gradients(List<NDArray> params) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                out.add(g.toFloatArray());
            }
        }
        return out;
    }

    static void zeroGradients(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    static void assertBitIdentical(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name);
        }
    }

    static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double max = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    static double maxAbs(List<float[]> arrays) {
        double max = 0;
        for (float[] a : arrays) {
            for (float x : a) {
                max = Math.max(max, Math.abs(x));
            }
        }
        return max;
    }
}
