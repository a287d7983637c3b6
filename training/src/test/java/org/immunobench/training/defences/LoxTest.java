package org.immunobench.training.defences;

import ai.djl.Device;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.immunobench.training.testing.WeightChecks.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoX against closed forms: every 2-D weight of a tiny random Llama gets a planted alignment update
 * ΔW = Σ σ_i u_i v_iᵀ with orthonormal u's and v's drawn in the test, so Proj_k(ΔW) is known exactly without any SVD.
 */
class LoxTest {
    /** V 48, D 16, I 32, 2 layers, 4 heads, 2 KV heads: q/o 16×16, k/v 8×16, gate/up 32×16, down 16×32. */
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 2, 4, 2, 64);
    /** Planted singular values, well separated so the rank-k subspace is stable under float rounding. */
    static final double[] SIGMA = {4.0, 2.5, 1.5, 0.8};
    static final double NORM_SHIFT = 0.25;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** A base model and an "aligned" one = base + planted low-rank ΔW on every matrix, + NORM_SHIFT on norms. */
    static final class Planted {
        final Map<String, HostTensor> base = RandomInit.weights(CONFIG, 11);
        final Map<String, HostTensor> aligned = new LinkedHashMap<>();
        final Map<String, double[][]> us = new LinkedHashMap<>();
        final Map<String, double[][]> vs = new LinkedHashMap<>();

        Planted() {
            Random random = new Random(5);
            for (HostTensor t : base.values()) {
                float[] data = t.data().clone();
                if (t.shape().length == 2) {
                    int m = (int) t.shape()[0];
                    int n = (int) t.shape()[1];
                    double[][] u = orthonormal(SIGMA.length, m, random);
                    double[][] v = orthonormal(SIGMA.length, n, random);
                    us.put(t.name(), u);
                    vs.put(t.name(), v);
                    double[] delta = outerSum(u, v, SIGMA, SIGMA.length, 1.0);
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) (data[i] + delta[i]);
                    }
                } else {
                    for (int i = 0; i < data.length; i++) {
                        data[i] += (float) NORM_SHIFT;
                    }
                }
                aligned.put(t.name(), new HostTensor(t.name(), t.shape(), data));
            }
        }

        LlamaWeights baseWeights() {
            return LlamaWeights.fromHost(CONFIG, base, Device.cpu());
        }

        LlamaWeights alignedWeights() {
            return LlamaWeights.fromHost(CONFIG, aligned, Device.cpu());
        }

        /** float(W_aligned + α Σ_{i<k} σ_i u_i v_iᵀ), from the planted factors. */
        float[] expected(String name, int k, double alpha) {
            double[] proj = outerSum(us.get(name), vs.get(name), SIGMA, k, alpha);
            float[] a = aligned.get(name).data();
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) (a[i] + proj[i]);
            }
            return out;
        }
    }

    /** Gram–Schmidt on Gaussian vectors: {@code count} orthonormal vectors of length {@code dim}. */
    static double[][] orthonormal(int count, int dim, Random random) {
        double[][] out = new double[count][dim];
        for (int r = 0; r < count; r++) {
            double[] x = out[r];
            for (int i = 0; i < dim; i++) {
                x[i] = random.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int q = 0; q < r; q++) {
                    double d = 0;
                    for (int i = 0; i < dim; i++) {
                        d += x[i] * out[q][i];
                    }
                    for (int i = 0; i < dim; i++) {
                        x[i] -= d * out[q][i];
                    }
                }
            }
            double norm = 0;
            for (double xi : x) {
                norm += xi * xi;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < dim; i++) {
                x[i] /= norm;
            }
        }
        return out;
    }

    /** scale · Σ_{r<k} σ_r u_r v_rᵀ, row-major. */
    static double[] outerSum(double[][] u, double[][] v, double[] sigma, int k, double scale) {
        int m = u[0].length;
        int n = v[0].length;
        double[] out = new double[m * n];
        for (int r = 0; r < k; r++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    out[i * n + j] += scale * sigma[r] * u[r][i] * v[r][j];
                }
            }
        }
        return out;
    }

    static DefenceData withReference(LlamaWeights reference) {
        return new DefenceData(List.of(), List.of(), List.of(), List.of(), List.of(), reference);
    }

    static Lox lox(Integer rank, Double alpha, Boolean includeEmbeddings) {
        return new Lox(new Lox.LoxConfig(rank, alpha, includeEmbeddings));
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    static boolean isEmbedding(String name) {
        return name.equals(LlamaNames.EMBED_TOKENS) || name.equals(LlamaNames.LM_HEAD);
    }

    @Test
    void lowRankExtrapolationMatchesThePlantedClosedForm() {
        Planted p = new Planted();
        int k = 2;
        double alpha = 0.7;
        try (LlamaWeights base = p.baseWeights(); LlamaWeights w = p.alignedWeights()) {
            DefenceResult result = lox(k, alpha, null).apply(w, withReference(base));
            int projections = 0;
            for (Map.Entry<String, HostTensor> e : p.aligned.entrySet()) {
                String name = e.getKey();
                float[] actual = w.get(name).toFloatArray();
                if (e.getValue().shape().length == 1 || isEmbedding(name)) {
                    assertBitIdentical(e.getValue().data(), actual, name + " must be untouched");
                    continue;
                }
                projections++;
                double diff = maxAbsDiff(p.expected(name, k, alpha), actual);
                assertTrue(diff < 1e-5, name + ": LoX differs from the closed form by " + diff);
                // And it really moved: the extrapolation is α σ_0 u_0 v_0ᵀ + … ≈ O(0.1) per entry.
                assertTrue(maxAbsDiff(e.getValue().data(), actual) > 0.05, name + " was not edited");
            }
            assertEquals(7 * CONFIG.numLayers(), projections);
            double rAlign = Math.sqrt((SIGMA[0] * SIGMA[0] + SIGMA[1] * SIGMA[1])
                    / (SIGMA[0] * SIGMA[0] + SIGMA[1] * SIGMA[1] + SIGMA[2] * SIGMA[2] + SIGMA[3] * SIGMA[3]));
            double deltaNorm = Math.sqrt(SIGMA[0] * SIGMA[0] + SIGMA[1] * SIGMA[1] + SIGMA[2] * SIGMA[2]
                    + SIGMA[3] * SIGMA[3]);
            assertEquals("completed", result.status());
            assertEquals(0, result.steps());
            assertEquals(Map.of("lox_rank", 2.0, "lox_alpha", 0.7, "matrices_edited", (double) projections,
                    "r_align_k2", result.metrics().get("r_align_k2"),
                    "delta_norm_mean", result.metrics().get("delta_norm_mean")), result.metrics());
            assertEquals(rAlign, result.metrics().get("r_align_k2"), 1e-6);
            assertEquals(deltaNorm, result.metrics().get("delta_norm_mean"), 1e-5);
        }
    }

    @Test
    void includeEmbeddingsAlsoExtrapolatesEmbedTokensAndLmHead() {
        Planted p = new Planted();
        try (LlamaWeights base = p.baseWeights(); LlamaWeights w = p.alignedWeights()) {
            DefenceResult result = lox(3, 1.0, true).apply(w, withReference(base));
            assertEquals(7 * CONFIG.numLayers() + 2, result.metrics().get("matrices_edited"));
            for (String name : List.of(LlamaNames.EMBED_TOKENS, LlamaNames.LM_HEAD)) {
                double diff = maxAbsDiff(p.expected(name, 3, 1.0), w.get(name).toFloatArray());
                assertTrue(diff < 1e-5, name + ": " + diff);
            }
            assertBitIdentical(p.aligned.get(LlamaNames.FINAL_NORM).data(),
                    w.get(LlamaNames.FINAL_NORM).toFloatArray(), "final norm");
        }
    }

    @Test
    void fullRankWithAlphaZeroReturnsExactlyTheAlignedWeights() {
        Planted p = new Planted();
        for (int rank : new int[] {0, 16, 100}) { // 0 = full; 16 = min(m, n) of the widest matrices; beyond
            try (LlamaWeights base = p.baseWeights(); LlamaWeights w = p.alignedWeights()) {
                DefenceResult result = lox(rank, 0.0, true).apply(w, withReference(base));
                for (Map.Entry<String, HostTensor> e : p.aligned.entrySet()) {
                    assertBitIdentical(e.getValue().data(), w.get(e.getKey()).toFloatArray(),
                            "rank " + rank + " " + e.getKey());
                }
                assertEquals(1.0, result.metrics().get("r_align_k" + rank), 0.0);
            }
        }
    }

    @Test
    void fullRankWithAlphaOneAddsTheWholeAlignmentUpdate() {
        Planted p = new Planted();
        for (int rank : new int[] {0, 16}) {
            try (LlamaWeights base = p.baseWeights(); LlamaWeights w = p.alignedWeights()) {
                lox(rank, 1.0, true).apply(w, withReference(base));
                for (Map.Entry<String, HostTensor> e : p.aligned.entrySet()) {
                    float[] a = e.getValue().data();
                    float[] expected = a;
                    if (e.getValue().shape().length == 2) { // W_aligned + ΔW = 2 W_aligned − W_base
                        float[] b = p.base.get(e.getKey()).data();
                        expected = new float[a.length];
                        for (int i = 0; i < a.length; i++) {
                            expected[i] = (float) ((double) a[i] + ((double) a[i] - (double) b[i]));
                        }
                    }
                    assertBitIdentical(expected, w.get(e.getKey()).toFloatArray(), "rank " + rank + " " + e.getKey());
                }
            }
        }
    }

    @Test
    void missingReferenceNamesTheExperimentKey() {
        Planted p = new Planted();
        try (LlamaWeights w = p.alignedWeights()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lox(null, null, null).apply(w, withReference(null)));
            assertTrue(e.getMessage().contains("parents[].reference"), e.getMessage());
            assertTrue(e.getMessage().startsWith("lox "), e.getMessage());
        }
    }

    @Test
    void shapeMismatchNamesTheTensorAndLeavesTheParentUntouched() {
        Planted p = new Planted();
        ModelConfig wider = ModelConfig.llama(48, 16, 40, 2, 4, 2, 64);
        try (LlamaWeights base = LlamaWeights.fromHost(wider, RandomInit.weights(wider, 1), Device.cpu());
                LlamaWeights w = p.alignedWeights()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lox(2, 1.0, null).apply(w, withReference(base)));
            assertEquals("lox: tensor model.layers.0.mlp.gate_proj.weight has shape [32, 16] in the parent but"
                    + " [40, 16] in the reference model", e.getMessage());
            String q = LlamaNames.projectionWeight(0, "q_proj"); // checked before any edit
            assertBitIdentical(p.aligned.get(q).data(), w.get(q).toFloatArray(), q);
        }
    }

    @Test
    void subspaceRatioIsTheClosedFormShareOfTheNormInsideTheTopKColumnSpace() {
        Random random = new Random(9);
        int m = 12;
        int n = 7;
        double[][] u = orthonormal(5, m, random); // u[4] is orthogonal to the planted column space
        double[][] v = orthonormal(4, n, random);
        double[][] deltaAlign = matrix(outerSum(u, v, SIGMA, 4, 1.0), m, n);
        double all = 0;
        for (double s : SIGMA) {
            all += s * s;
        }
        for (int k = 1; k <= 4; k++) {
            double top = 0;
            for (int i = 0; i < k; i++) {
                top += SIGMA[i] * SIGMA[i];
            }
            assertEquals(Math.sqrt(top / all), Lox.subspaceRatio(deltaAlign, deltaAlign, k), 1e-12, "k=" + k);
        }
        assertEquals(1.0, Lox.subspaceRatio(deltaAlign, deltaAlign, 0), 1e-12);
        assertEquals(1.0, Lox.subspaceRatio(deltaAlign, deltaAlign, 50), 1e-12, "k beyond the rank");
        // delta = 3 u_1 x_0ᵀ + 4 u_4 x_1ᵀ (x orthonormal): inside top-1: 0; inside top-2: ‖3 u_1 x_0ᵀ‖ = 3; total 5.
        double[][] x = orthonormal(2, n, random);
        double[][] delta = matrix(outerSum(new double[][] {u[1], u[4]}, x, new double[] {3, 4}, 2, 1.0), m, n);
        assertEquals(0.0, Lox.subspaceRatio(deltaAlign, delta, 1), 1e-12);
        assertEquals(0.6, Lox.subspaceRatio(deltaAlign, delta, 2), 1e-12);
        assertEquals(0.6, Lox.subspaceRatio(deltaAlign, delta, 0), 1e-12, "the full column space of deltaAlign");
        assertEquals(1.0, Lox.subspaceRatio(deltaAlign, new double[m][n], 2), 0.0, "a zero delta");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Lox.subspaceRatio(deltaAlign, new double[n][m], 2));
        assertEquals("delta is 7x12 but deltaAlign is 12x7", bad.getMessage());
    }

    @Test
    void meanSubspaceRatioOfAnUnchangedModelIsRAlign() {
        Planted p = new Planted();
        try (LlamaWeights base = p.baseWeights(); LlamaWeights aligned = p.alignedWeights();
                LlamaWeights finetuned = p.alignedWeights(); LlamaWeights w = p.alignedWeights()) {
            double rAlign = lox(2, 0.5, null).apply(w, withReference(base)).metrics().get("r_align_k2");
            assertEquals(rAlign, Lox.meanSubspaceRatio(base, aligned, finetuned, 2), 1e-9);
            // A "fine-tune" that moved further along the top-2 directions (LoX itself) has a larger share inside.
            assertTrue(Lox.meanSubspaceRatio(base, aligned, w, 2) > rAlign, "LoX grew the share inside");
        }
    }

    @Test
    void jacobiSvdReconstructsTallAndWideMatrices() {
        Random random = new Random(2);
        for (int[] shape : new int[][] {{9, 5}, {5, 9}, {6, 6}, {1, 4}}) {
            double[][] a = new double[shape[0]][shape[1]];
            for (double[] row : a) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = random.nextGaussian();
                }
            }
            JacobiSvd.Result svd = JacobiSvd.decompose(a);
            assertEquals(Math.min(shape[0], shape[1]), svd.rank());
            for (int i = 1; i < svd.rank(); i++) {
                assertTrue(svd.s()[i] <= svd.s()[i - 1], "descending");
            }
            for (int i = 0; i < shape[0]; i++) {
                for (int j = 0; j < shape[1]; j++) {
                    double r = 0;
                    for (int t = 0; t < svd.rank(); t++) {
                        r += svd.s()[t] * svd.u()[t][i] * svd.v()[t][j];
                    }
                    assertEquals(a[i][j], r, 1e-12);
                }
            }
            for (int p = 0; p < svd.rank(); p++) {
                for (int q = 0; q < svd.rank(); q++) {
                    assertEquals(p == q ? 1 : 0, JacobiSvd.dot(svd.u()[p], svd.u()[q]), 1e-12);
                    assertEquals(p == q ? 1 : 0, JacobiSvd.dot(svd.v()[p], svd.v()[q]), 1e-12);
                }
            }
        }
        // Rank-deficient: only the planted directions survive.
        double[][] u = orthonormal(2, 8, random);
        double[][] v = orthonormal(2, 6, random);
        JacobiSvd.Result low = JacobiSvd.decompose(matrix(outerSum(u, v, new double[] {3, 1}, 2, 1.0), 8, 6));
        assertEquals(2, low.rank());
        assertEquals(3, low.s()[0], 1e-12);
        assertEquals(1, low.s()[1], 1e-12);
    }

    static double[][] matrix(double[] flat, int m, int n) {
        double[][] out = new double[m][n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(flat, i * n, out[i], 0, n);
        }
        return out;
    }
}
