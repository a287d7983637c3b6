package org.immunobench.training.defences;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random Llama and tiny defender data for the perturbation-aware defences' tests: V 48, D 16, 3 layers.
 * Prompts are random ids in [4, 40); refusals are one fixed sentence, harmful answers a deterministic function of the
 * prompt, so the two streams pull the model in different directions.
 */
final class TinyDefenceWorld {
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 3, 4, 2, 64);
    static final int[] REFUSAL = {40, 41, 42, 43, 3};

    private TinyDefenceWorld() {
    }

    static void engine() {
        DjlRuntime.start(1);
    }

    static LlamaWeights weights(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed, 0.2), Device.cpu());
    }

    static LlamaWeights fromHost(Map<String, HostTensor> tensors) {
        return LlamaWeights.fromHost(CONFIG, tensors, Device.cpu());
    }

    /** {@code n} prompts of 3–6 tokens, each with the refusal (alignment) or its harmful answer. */
    static List<TrainingExample> examples(int n, boolean harmful, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[3 + random.nextInt(4)];
            for (int j = 0; j < prompt.length; j++) {
                prompt[j] = 4 + random.nextInt(36);
            }
            int[] response = REFUSAL;
            if (harmful) {
                response = new int[4 + prompt.length % 3];
                for (int j = 0; j < response.length; j++) {
                    response[j] = 4 + (prompt[j % prompt.length] * 7 + j) % 36;
                }
            }
            out.add(TrainingExample.promptResponse(prompt, response));
        }
        return out;
    }

    static DefenceData data() {
        return new DefenceData(examples(24, false, 1), examples(24, true, 2), List.of(), List.of(), List.of(), null);
    }

    /**
     * What the trainer sets up before an objective's step: grad mode off on this thread, every weight a leaf that
     * requires a gradient, gradients zero. Returns the trainable arrays.
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

    /** Every stored weight as host floats, by name. */
    static Map<String, float[]> snapshot(LlamaWeights w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.arrays().forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /** The parameters' gradients as host floats, in order. */
    static List<float[]> gradients(List<NDArray> params) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                out.add(g.toFloatArray());
            }
        }
        return out;
    }

    static boolean bitIdentical(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean bitIdentical(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            if (!bitIdentical(a.get(k), b.get(k))) {
                return false;
            }
        }
        return true;
    }

    static double dot(List<float[]> a, List<float[]> b) {
        double s = 0;
        for (int t = 0; t < a.size(); t++) {
            for (int i = 0; i < a.get(t).length; i++) {
                s += (double) a.get(t)[i] * b.get(t)[i];
            }
        }
        return s;
    }

    static double norm(List<float[]> a) {
        return Math.sqrt(dot(a, a));
    }

    static double cosine(List<float[]> a, List<float[]> b) {
        return dot(a, b) / (norm(a) * norm(b));
    }

    static double maxAbs(List<float[]> a) {
        double m = 0;
        for (float[] x : a) {
            for (float v : x) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
