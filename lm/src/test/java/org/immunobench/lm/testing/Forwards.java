package org.immunobench.lm.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;

import java.util.ArrayList;
import java.util.List;

/** Runs DJL forward passes from plain Java arrays, for tests. */
public final class Forwards {
    private Forwards() {
    }

    /** Logits [B][T][V] for a padded batch; mask null = all ones. */
    public static float[][][] logits(LlamaWeights w, int[][] tokens, int[][] mask) {
        return logits(w, tokens, mask, ForwardOptions.allLogits());
    }

    public static float[][][] logits(LlamaWeights w, int[][] tokens, int[][] mask, ForwardOptions options) {
        int b = tokens.length;
        int t = tokens[0].length;
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            ForwardResult r = LlamaForward.forward(w, tokensArray(scope, tokens),
                    mask == null ? null : maskArray(scope, mask), options, null);
            float[] flat = r.logits().toFloatArray();
            int v = flat.length / (b * t);
            float[][][] out = new float[b][t][v];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    System.arraycopy(flat, (i * t + j) * v, out[i][j], 0, v);
                }
            }
            return out;
        }
    }

    /** Residual stream [L+1][B][T][D] after interventions. */
    public static List<float[][][]> hidden(LlamaWeights w, int[][] tokens, ForwardOptions options) {
        int b = tokens.length;
        int t = tokens[0].length;
        int d = w.config().hiddenSize();
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            ForwardResult r = LlamaForward.forward(w, tokensArray(scope, tokens), null, options.withCapture(), null);
            List<float[][][]> out = new ArrayList<>();
            for (NDArray h : r.hiddenStates()) {
                float[] flat = h.toFloatArray();
                float[][][] x = new float[b][t][d];
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < t; j++) {
                        System.arraycopy(flat, (i * t + j) * d, x[i][j], 0, d);
                    }
                }
                out.add(x);
            }
            return out;
        }
    }

    public static NDArray tokensArray(NDManager scope, int[][] tokens) {
        long[] flat = new long[tokens.length * tokens[0].length];
        for (int i = 0; i < tokens.length; i++) {
            for (int j = 0; j < tokens[0].length; j++) {
                flat[i * tokens[0].length + j] = tokens[i][j];
            }
        }
        return scope.create(flat, new Shape(tokens.length, tokens[0].length));
    }

    public static NDArray maskArray(NDManager scope, int[][] mask) {
        float[] flat = new float[mask.length * mask[0].length];
        for (int i = 0; i < mask.length; i++) {
            for (int j = 0; j < mask[0].length; j++) {
                flat[i * mask[0].length + j] = mask[i][j];
            }
        }
        return scope.create(flat, new Shape(mask.length, mask[0].length));
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
