package org.immunobench.lm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties every correct causal-LM forward has, checked on each supported family. */
class ForwardPropertiesTest {
    private static final double TOL = 1e-5;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    static LlamaWeights weights(ModelConfig c, long seed) {
        return LlamaWeights.fromHost(c, RandomInit.weights(c, seed, 0.2), Device.cpu());
    }

    static int[] randomTokens(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 4 + r.nextInt(vocab - 4);
        }
        return t;
    }

    @Test
    void laterTokensNeverChangeEarlierLogits() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            try (LlamaWeights w = weights(c, 1)) {
                int[] a = randomTokens(new Random(2), 12, c.vocabSize());
                int[] b = a.clone();
                b[11] = a[11] == 5 ? 6 : 5;
                b[8] = a[8] == 7 ? 9 : 7;
                float[][][] la = Forwards.logits(w, new int[][] {a}, null);
                float[][][] lb = Forwards.logits(w, new int[][] {b}, null);
                double before = 0;
                for (int p = 0; p < 8; p++) {
                    before = Math.max(before, Forwards.maxAbsDiff(la[0][p], lb[0][p]));
                }
                double after = Forwards.maxAbsDiff(la[0][9], lb[0][9]);
                System.out.printf("causality %s: max diff before change %.2e, after %.2e%n", c.modelType(), before,
                        after);
                assertEquals(0.0, before, 1e-6, c.modelType());
                assertTrue(after > 1e-4, c.modelType() + ": changed token must matter downstream");
            }
        }
    }

    @Test
    void paddedBatchEqualsRowsAloneOnEitherSide() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            try (LlamaWeights w = weights(c, 3)) {
                Random r = new Random(4);
                int[] longRow = randomTokens(r, 10, c.vocabSize());
                int[] shortRow = randomTokens(r, 6, c.vocabSize());
                float[][][] aloneLong = Forwards.logits(w, new int[][] {longRow}, null);
                float[][][] aloneShort = Forwards.logits(w, new int[][] {shortRow}, null);
                int[][] right = {longRow, java.util.Arrays.copyOf(shortRow, 10)};
                int[][] rightMask = {ones(10, 0), ones(6, 4)};
                int[][] left = {longRow, new int[10]};
                System.arraycopy(shortRow, 0, left[1], 4, 6);
                int[][] leftMask = {ones(10, 0), leftOnes(6, 4)};
                float[][][] br = Forwards.logits(w, right, rightMask);
                float[][][] bl = Forwards.logits(w, left, leftMask);
                double worst = 0;
                for (int p = 0; p < 10; p++) {
                    worst = Math.max(worst, Forwards.maxAbsDiff(aloneLong[0][p], br[0][p]));
                    worst = Math.max(worst, Forwards.maxAbsDiff(aloneLong[0][p], bl[0][p]));
                }
                for (int p = 0; p < 6; p++) {
                    worst = Math.max(worst, Forwards.maxAbsDiff(aloneShort[0][p], br[1][p]));
                    worst = Math.max(worst, Forwards.maxAbsDiff(aloneShort[0][p], bl[1][p + 4]));
                }
                System.out.printf("padding invariance %s: max diff %.2e (tolerance %.0e)%n", c.modelType(), worst,
                        TOL);
                assertTrue(worst < TOL, c.modelType() + " diff " + worst);
            }
        }
    }

    @Test
    void slidingWindowLimitsTheReceptiveField() {
        ModelConfig c = TinyModels.mistral(); // window 5, 2 layers: position p sees back to p − 8
        try (LlamaWeights w = weights(c, 5)) {
            int[] a = randomTokens(new Random(6), 14, c.vocabSize());
            int[] b = a.clone();
            b[0] = a[0] == 5 ? 6 : 5;
            float[][][] la = Forwards.logits(w, new int[][] {a}, null);
            float[][][] lb = Forwards.logits(w, new int[][] {b}, null);
            for (int p = 9; p < 14; p++) {
                assertEquals(0.0, Forwards.maxAbsDiff(la[0][p], lb[0][p]), 1e-6, "position " + p);
            }
            assertTrue(Forwards.maxAbsDiff(la[0][1], lb[0][1]) > 1e-4);
        }
    }

    @Test
    void chunkedNllEqualsFullLogSoftmax() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = weights(c, 7); NDManager scope = NDManager.newBaseManager()) {
            Random r = new Random(8);
            float[] h = new float[5 * c.hiddenSize()];
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) r.nextGaussian();
            }
            long[] targets = {4, 9, 47, 0, 20};
            NDArray hidden = scope.create(h, new Shape(5, c.hiddenSize()));
            float[] full = TokenNll.compute(w, hidden, scope.create(targets), 1000).toFloatArray();
            float[] chunked = TokenNll.compute(w, hidden, scope.create(targets), 7).toFloatArray();
            NDArray logits = hidden.matMul(w.get(LlamaNames.LM_HEAD).transpose());
            logits.attach(scope);
            float[] logSoftmax = logits.logSoftmax(-1).toFloatArray();
            for (int i = 0; i < 5; i++) {
                double expected = -logSoftmax[(int) (i * c.vocabSize() + targets[i])];
                assertEquals(expected, full[i], 1e-5);
                assertEquals(expected, chunked[i], 1e-5);
            }
        }
    }

    @Test
    void forwardLeavesNothingOnTheModelsManager() {
        ModelConfig c = TinyModels.qwen2();
        try (LlamaWeights w = weights(c, 9)) {
            w.addLora(new LoraConfig(2, 4, List.of("q_proj", "down_proj"), 1));
            int before = w.managedArrayCount();
            Forwards.logits(w, new int[][] {randomTokens(new Random(1), 20, c.vocabSize())}, null);
            new org.immunobench.lm.generate.Generator(w).generate(List.of(new int[] {2, 5, 6}),
                    org.immunobench.lm.generate.SamplingConfig.greedy(4, java.util.Set.of()));
            assertEquals(before, w.managedArrayCount());
        }
    }

    @Test
    void projectOutRemovesTheDirectionEverywhereAndAddVectorAdds() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = weights(c, 11)) {
            Random r = new Random(12);
            float[] dir = new float[c.hiddenSize()];
            for (int i = 0; i < dir.length; i++) {
                dir[i] = (float) r.nextGaussian();
            }
            int[][] tokens = {randomTokens(r, 7, c.vocabSize())};
            ProjectOut ablate = ProjectOut.everywhere(dir);
            float[] unit = ablate.unitDirection();
            List<float[][][]> hs = Forwards.hidden(w, tokens, ForwardOptions.hiddenOnly()
                    .withInterventions(List.of(ablate)));
            double worst = 0;
            for (float[][][] h : hs) {
                for (float[] row : h[0]) {
                    double dot = 0;
                    for (int i = 0; i < row.length; i++) {
                        dot += row[i] * unit[i];
                    }
                    worst = Math.max(worst, Math.abs(dot));
                }
            }
            assertTrue(worst < 1e-4, "component left along ablated direction: " + worst);

            List<float[][][]> plain = Forwards.hidden(w, tokens, ForwardOptions.hiddenOnly());
            List<float[][][]> added = Forwards.hidden(w, tokens, ForwardOptions.hiddenOnly()
                    .withInterventions(List.of(AddVector.afterLayer(0, dir, 0.5))));
            for (int i = 0; i < dir.length; i++) {
                assertEquals(plain.get(1)[0][3][i] + 0.5 * dir[i], added.get(1)[0][3][i], 1e-5);
            }
            assertEquals(0.0, Forwards.maxAbsDiff(plain.get(0)[0][3], added.get(0)[0][3]));
        }
    }

    @Test
    void loraStartsNeutralAndMergeEqualsTheAdaptedForward() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = weights(c, 13)) {
            int[][] tokens = {randomTokens(new Random(14), 9, c.vocabSize())};
            float[][][] base = Forwards.logits(w, tokens, null);
            w.addLora(new LoraConfig(4, 8, List.of("q_proj", "v_proj", "o_proj", "up_proj"), 3));
            assertEquals(0.0, Forwards.maxAbsDiff(base[0][8], Forwards.logits(w, tokens, null)[0][8]), 1e-6);
            List<NDArray> trainable = w.trainable(true);
            assertEquals(2 * 4 * c.numLayers(), trainable.size());
            Random r = new Random(15);
            for (LlamaWeights.LoraAdapter ad : w.adapters().values()) {
                float[] b = new float[(int) ad.b().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (r.nextGaussian() * 0.1);
                }
                ad.b().set(b);
            }
            float[][][] adapted = Forwards.logits(w, tokens, null);
            assertTrue(Forwards.maxAbsDiff(base[0][8], adapted[0][8]) > 1e-3);
            w.mergeLora();
            assertTrue(w.adapters().isEmpty());
            float[][][] merged = Forwards.logits(w, tokens, null);
            double diff = 0;
            for (int p = 0; p < 9; p++) {
                diff = Math.max(diff, Forwards.maxAbsDiff(adapted[0][p], merged[0][p]));
            }
            System.out.printf("LoRA merge vs adapter forward: max diff %.2e%n", diff);
            assertTrue(diff < 1e-4, "merge diff " + diff);
        }
    }

    /** The zero-leaf trick: dL/dε of a zero perturbation at a hook point is dL/dh there (finite-difference check). */
    @Test
    void leafPerturbationGradientMatchesFiniteDifference() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = weights(c, 17); NDManager scope = NDManager.newBaseManager()) {
            int[][] tokens = {randomTokens(new Random(18), 8, c.vocabSize())};
            HookPoint point = HookPoint.post(0);
            NDArray eps = scope.zeros(new Shape(1, 8, c.hiddenSize()), DataType.FLOAT32);
            eps.setRequiresGradient(true);
            float[] grad;
            double loss0;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = loss(w, scope, tokens, new LeafPerturbation().put(point, eps));
                loss0 = loss.getFloat();
                gc.backward(loss);
                grad = eps.getGradient().toFloatArray();
            }
            double norm = 0;
            for (float g : grad) {
                norm += g * g;
            }
            norm = Math.sqrt(norm);
            assertTrue(norm > 1e-4, "gradient must not vanish");
            double step = 1e-2;
            float[] delta = new float[grad.length];
            for (int i = 0; i < grad.length; i++) {
                delta[i] = (float) (step * grad[i] / norm);
            }
            NDArray shifted = scope.create(delta, new Shape(1, 8, c.hiddenSize()));
            double loss1 = loss(w, scope, tokens, new LeafPerturbation().put(point, shifted)).getFloat();
            double predicted = step * norm;
            System.out.printf("leaf gradient: predicted Δloss %.5f, observed %.5f%n", predicted, loss1 - loss0);
            assertEquals(predicted, loss1 - loss0, 0.05 * predicted + 1e-4);
        }
    }

    private static NDArray loss(LlamaWeights w, NDManager scope, int[][] tokens, ResidualIntervention i) {
        NDArray tok = Forwards.tokensArray(scope, tokens);
        ForwardResult r = LlamaForward.forward(w, tok, null, ForwardOptions.hiddenOnly()
                .withInterventions(List.of(i)), null);
        int t = tokens[0].length;
        NDArray h = r.finalHidden().reshape(t, w.config().hiddenSize()).get("0:" + (t - 1));
        long[] targets = new long[t - 1];
        for (int p = 0; p < t - 1; p++) {
            targets[p] = tokens[0][p + 1];
        }
        return TokenNll.compute(w, h, scope.create(targets), 1000).sum();
    }

    private static int[] ones(int n, int zerosAfter) {
        int[] m = new int[n + zerosAfter];
        java.util.Arrays.fill(m, 0, n, 1);
        return m;
    }

    private static int[] leftOnes(int n, int zerosBefore) {
        int[] m = new int[n + zerosBefore];
        java.util.Arrays.fill(m, zerosBefore, n + zerosBefore, 1);
        return m;
    }
}
