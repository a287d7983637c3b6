package org.immunobench.training.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The weight and gradient helpers the defence and fine-tuning-defence tests share: host snapshots, bit-for-bit
 * comparison, the trainer's set-up before an objective's step, and small norms over host arrays. The tiny models
 * and data sets themselves stay with each test family's fixture.
 */
public final class WeightChecks {
    private WeightChecks() {
    }

    /** Every stored weight as host floats, by name. */
    public static Map<String, float[]> snapshot(LlamaWeights w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.arrays().forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /**
     * What the trainer sets up before an objective's step: grad mode off on this thread (a fresh libtorch thread
     * starts with it on), every weight a leaf that requires a gradient, gradients zero. Returns the trainable arrays.
     */
    public static List<NDArray> trainable(LlamaWeights w) {
        JniUtils.setGradMode(false);
        List<NDArray> params = w.trainable(false);
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
        zeroGradients(params);
        return params;
    }

    public static void zeroGradients(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    /** The parameters' gradients as host floats, in parameter order. */
    public static List<float[]> gradients(List<NDArray> params) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                out.add(g.toFloatArray());
            }
        }
        return out;
    }

    /** The current gradients of {@code w}'s arrays as host floats, by name. */
    public static Map<String, float[]> gradients(LlamaWeights w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.arrays().forEach((name, a) -> {
            try (NDArray g = a.getGradient()) {
                out.put(name, g.toFloatArray());
            }
        });
        return out;
    }

    public static boolean bitIdentical(float[] a, float[] b) {
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

    public static boolean bitIdentical(Map<String, float[]> a, Map<String, float[]> b) {
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> bitIdentical(a.get(k), b.get(k)));
    }

    public static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    public static void assertBitIdentical(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, x) -> assertBitIdentical(x, actual.get(name), name));
    }

    /** max |a − b| (the difference taken in float). */
    public static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** max |a − b| over every array of {@code a}, matched by name. */
    public static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double max = 0;
        for (String name : a.keySet()) {
            max = Math.max(max, maxAbsDiff(a.get(name), b.get(name)));
        }
        return max;
    }

    public static double maxAbs(Collection<float[]> arrays) {
        double max = 0;
        for (float[] a : arrays) {
            for (float x : a) {
                max = Math.max(max, Math.abs(x));
            }
        }
        return max;
    }

    public static double maxAbs(Map<String, float[]> arrays) {
        return maxAbs(arrays.values());
    }

    public static double dot(List<float[]> a, List<float[]> b) {
        double s = 0;
        for (int t = 0; t < a.size(); t++) {
            for (int i = 0; i < a.get(t).length; i++) {
                s += (double) a.get(t)[i] * b.get(t)[i];
            }
        }
        return s;
    }

    public static double norm(List<float[]> a) {
        return Math.sqrt(dot(a, a));
    }

    public static double cosine(List<float[]> a, List<float[]> b) {
        return dot(a, b) / (norm(a) * norm(b));
    }
}
