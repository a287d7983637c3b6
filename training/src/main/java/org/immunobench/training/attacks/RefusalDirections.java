package org.immunobench.training.attacks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LeftPadded;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;

import java.util.List;

/**
 * Difference-in-means refusal directions (Arditi et al. 2406.11717 §2.3):
 * r_{i,l} = mean_{x ∈ harmful} h_l(x)[i] − mean_{x ∈ harmless} h_l(x)[i], for every layer l (the residual stream
 * entering layer l) and every one of the last {@code positions} prompt positions i (post-instruction tokens).
 *
 * <p>Prompts are left-padded in batches so position −1 is always the last prompt token.
 */
public final class RefusalDirections {
    private RefusalDirections() {
    }

    /** [layer][position from the end, 0 = last][D]. */
    public static float[][][] differenceInMeans(LlamaWeights w, List<int[]> harmful, List<int[]> harmless,
            int positions, int batchSize) {
        double[][][] a = meanStream(w, harmful, positions, batchSize);
        double[][][] b = meanStream(w, harmless, positions, batchSize);
        int layers = w.config().numLayers();
        int d = w.config().hiddenSize();
        float[][][] out = new float[layers][positions][d];
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < positions; p++) {
                for (int k = 0; k < d; k++) {
                    out[l][p][k] = (float) (a[l][p][k] - b[l][p][k]);
                }
            }
        }
        return out;
    }

    /** Mean of the stream entering each layer at the last {@code positions} tokens; [layer][pos][D]. */
    static double[][][] meanStream(LlamaWeights w, List<int[]> prompts, int positions, int batchSize) {
        int layers = w.config().numLayers();
        int d = w.config().hiddenSize();
        double[][][] sum = new double[layers][positions][d];
        for (int[] p : prompts) {
            if (p.length < positions) {
                throw new IllegalArgumentException("prompt of " + p.length + " tokens is shorter than the "
                        + positions + " positions requested");
            }
        }
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<int[]> batch = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
            LeftPadded padded = LeftPadded.of(batch);
            int longest = padded.length();
            Shape shape = new Shape(padded.rows(), longest);
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                ForwardResult fr = LlamaForward.forward(w, scope.create(padded.tokens(), shape),
                        scope.create(padded.mask(), shape), ForwardOptions.hiddenOnly().withCapture(), null);
                for (int l = 0; l < layers; l++) {
                    // Stream index l = input of layer l (0 = embeddings).
                    NDArray h = fr.hiddenStates().get(l).get(":, " + (longest - positions) + ":, :");
                    float[] flat = h.toFloatArray(); // (B, positions, D)
                    for (int r = 0; r < batch.size(); r++) {
                        for (int p = 0; p < positions; p++) {
                            int fromEnd = positions - 1 - p;
                            for (int k = 0; k < d; k++) {
                                sum[l][fromEnd][k] += flat[(r * positions + p) * d + k];
                            }
                        }
                    }
                }
            }
        }
        for (double[][] layer : sum) {
            for (double[] pos : layer) {
                for (int k = 0; k < d; k++) {
                    pos[k] /= prompts.size();
                }
            }
        }
        return sum;
    }
}
