package org.immunobench.lm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.generate.Generator;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.generate.TokenChoice;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * f16 and bf16 against f32 on the same weights (CPU). Stated tolerances, for models with N(0, 0.2²) weights and
 * logits of magnitude ~1–5:
 * <ul>
 *   <li>logits: max |Δ| ≤ {@value #BF16_LOGIT_TOL} for bf16 (weights rounded to 8 significant bits), ≤
 *       {@value #F16_LOGIT_TOL} for f16 (11 bits, activations in f16 too);</li>
 *   <li>per-token NLL from the scorer: max |Δ| ≤ {@value #BF16_NLL_TOL} nats (bf16), ≤ {@value #F16_NLL_TOL} (f16).</li>
 * </ul>
 * And exactly equal when the checkpoint itself is BF16 and the job runs in bf16: storage is lossless.
 */
class ComputeDtypeTest {
    static final double BF16_LOGIT_TOL = 2e-2;
    static final double F16_LOGIT_TOL = 5e-3;
    static final double BF16_NLL_TOL = 3e-2;
    static final double F16_NLL_TOL = 1e-2;

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    private static int[][] tokens(ModelConfig c, long seed, int rows, int len) {
        Random r = new Random(seed);
        int[][] t = new int[rows][len];
        for (int[] row : t) {
            for (int j = 0; j < len; j++) {
                row[j] = 4 + r.nextInt(c.vocabSize() - 4);
            }
        }
        return t;
    }

    private static double maxDiff(float[][][] a, float[][][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                if (a[i][j] == null) {
                    continue;
                }
                m = Math.max(m, Forwards.maxAbsDiff(a[i][j], b[i][j]));
            }
        }
        return m;
    }

    @Test
    void reducedPrecisionLogitsStayWithinTheStatedToleranceOfFloat32() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            Map<String, HostTensor> host = RandomInit.weights(c, 41, 0.2);
            int[][] toks = tokens(c, 42, 3, 11);
            int[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1},
                {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}};
            try (LlamaWeights f32 = LlamaWeights.fromHost(c, host, Device.cpu());
                    LlamaWeights bf16 = LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.BF16);
                    LlamaWeights f16 = LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.F16)) {
                float[][][] ref = Forwards.logits(f32, toks, mask);
                // padded positions are garbage by construction; compare real positions only
                for (int i = 0; i < ref.length; i++) {
                    for (int j = 0; j < ref[i].length; j++) {
                        if (mask[i][j] == 0) {
                            ref[i][j] = null;
                        }
                    }
                }
                double scale = 0;
                for (float[][] row : ref) {
                    for (float[] pos : row) {
                        for (float v : pos == null ? new float[0] : pos) {
                            scale = Math.max(scale, Math.abs(v));
                        }
                    }
                }
                double bf = maxDiff(ref, Forwards.logits(bf16, toks, mask)) / scale;
                double f = maxDiff(ref, Forwards.logits(f16, toks, mask)) / scale;
                System.out.printf("%s logits vs f32 (max |logit| %.2f): bf16 max |diff| / max |logit| %.2e (tol %.0e),"
                        + " f16 %.2e (tol %.0e)%n", c.modelType(), scale, bf, BF16_LOGIT_TOL, f, F16_LOGIT_TOL);
                assertTrue(bf > 0 && bf <= BF16_LOGIT_TOL, c.modelType() + " bf16 " + bf);
                assertTrue(f > 0 && f <= F16_LOGIT_TOL, c.modelType() + " f16 " + f);
            }
        }
    }

    @Test
    void matricesAreStoredAtSixteenBitsAndVectorsStayFloat32() {
        ModelConfig c = TinyModels.qwen2(); // has biases
        for (ComputeDtype d : List.of(ComputeDtype.F16, ComputeDtype.BF16)) {
            try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 1, 0.2), Device.cpu(), d)) {
                assertEquals(d, w.dtype());
                for (Map.Entry<String, NDArray> e : w.arrays().entrySet()) {
                    DataType expected = e.getValue().getShape().dimension() == 2 ? DataType.FLOAT16 : DataType.FLOAT32;
                    assertEquals(expected, e.getValue().getDataType(), d + " " + e.getKey());
                }
            }
        }
    }

    @Test
    void aBf16CheckpointRunsInBf16ExactlyAsInFloat32() {
        ModelConfig c = TinyModels.llamaVariant();
        Map<String, HostTensor> host = RandomInit.weights(c, 7, 0.2);
        // a few matrices with magnitudes far from 1 exercise the power-of-two scale
        float[] q = host.get("model.layers.0.self_attn.q_proj.weight").data();
        for (int i = 0; i < q.length; i++) {
            q[i] *= 3e4f;
        }
        float[] up = host.get("model.layers.1.mlp.up_proj.weight").data();
        for (int i = 0; i < up.length; i++) {
            up[i] *= 1e-6f;
        }
        Path ckpt = dir.resolve("bf16");
        CheckpointWriter.write(ckpt, c, host, null, "BF16");
        CheckpointReader.CheckpointFiles files = CheckpointReader.index(ckpt);
        int[][] toks = tokens(c, 3, 2, 9);
        try (LlamaWeights f32 = LlamaWeights.load(files, Device.cpu(), ComputeDtype.F32);
                LlamaWeights bf16 = LlamaWeights.load(files, Device.cpu(), ComputeDtype.BF16)) {
            float[][][] a = Forwards.logits(f32, toks, null);
            float[][][] b = Forwards.logits(bf16, toks, null);
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[i].length; j++) {
                    assertArrayEquals(a[i][j], b[i][j], "row " + i + " position " + j);
                }
            }
            Map<String, HostTensor> back = bf16.toHost();
            for (Map.Entry<String, HostTensor> e : f32.toHost().entrySet()) {
                assertArrayEquals(e.getValue().data(), back.get(e.getKey()).data(), e.getKey());
            }
        }
    }

    @Test
    void scoresInReducedPrecisionStayWithinTheStatedTolerance() {
        ModelConfig c = TinyModels.mistral();
        Map<String, HostTensor> host = RandomInit.weights(c, 13, 0.2);
        List<ScoringInput> inputs = new ArrayList<>();
        int[][] t = tokens(c, 14, 6, 20);
        for (int i = 0; i < t.length; i++) {
            inputs.add(new ScoringInput(java.util.Arrays.copyOf(t[i], 8 + 2 * i), i % 2));
        }
        // vocab chunk 10 splits the 48-word vocabulary, so the chunked log-softmax runs in reduced precision too
        RuntimeOptions options = RuntimeOptions.cpu().withBatching(64, 4).withVocabChunk(10);
        try (LlamaWeights f32 = LlamaWeights.fromHost(c, host, Device.cpu());
                LlamaWeights bf16 = LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.BF16);
                LlamaWeights f16 = LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.F16)) {
            List<float[]> ref = new Scorer(f32, options).tokenNlls(inputs);
            List<float[]> b = new Scorer(bf16, options).tokenNlls(inputs);
            List<float[]> f = new Scorer(f16, options).tokenNlls(inputs);
            double bd = 0;
            double fd = 0;
            for (int i = 0; i < ref.size(); i++) {
                bd = Math.max(bd, Forwards.maxAbsDiff(ref.get(i), b.get(i)));
                fd = Math.max(fd, Forwards.maxAbsDiff(ref.get(i), f.get(i)));
            }
            System.out.printf("token NLL vs f32: bf16 max |diff| %.2e nats (tol %.0e), f16 %.2e (tol %.0e)%n", bd,
                    BF16_NLL_TOL, fd, F16_NLL_TOL);
            assertTrue(bd > 0 && bd <= BF16_NLL_TOL, "bf16 " + bd);
            assertTrue(fd <= F16_NLL_TOL, "f16 " + fd);
        }
    }

    @Test
    void generationInReducedPrecisionPicksTheArgmaxOfItsOwnLogits() {
        ModelConfig c = TinyModels.llama();
        for (ComputeDtype d : List.of(ComputeDtype.F16, ComputeDtype.BF16)) {
            try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 21, 0.3), Device.cpu(), d)) {
                int[] prompt = {2, 7, 9, 11, 4, 30};
                int[] out = new Generator(w).generate(List.of(prompt), SamplingConfig.greedy(6, Set.of())).get(0);
                assertEquals(6, out.length);
                // Each token is (within rounding of the cached path) the argmax of a full forward in the same dtype.
                int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + out.length);
                System.arraycopy(out, 0, seq, prompt.length, out.length);
                for (int s = 0; s < out.length; s++) {
                    int len = prompt.length + s;
                    float[] last = Forwards.logits(w, new int[][] {java.util.Arrays.copyOf(seq, len)}, null)[0][len - 1];
                    int best = TokenChoice.argmax(last, 0, last.length);
                    assertTrue(last[best] - last[out[s]] <= 1e-2, d + " step " + s + ": chose " + out[s]
                            + " (logit " + last[out[s]] + ") but the argmax is " + best + " (" + last[best] + ")");
                }
            }
        }
    }

    @Test
    void loraOverAReducedBaseTrainsFloat32AdaptersAndLeavesTheBaseFrozen() {
        ModelConfig c = TinyModels.qwen2();
        for (ComputeDtype d : List.of(ComputeDtype.F16, ComputeDtype.BF16)) {
            try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 5, 0.2), Device.cpu(), d)) {
                w.addLora(new LoraConfig(2, 4, List.of("q_proj", "v_proj", "down_proj"), 3));
                List<NDArray> params = w.trainable(true);
                for (NDArray p : params) {
                    assertEquals(DataType.FLOAT32, p.getDataType());
                    p.setRequiresGradient(true);
                }
                // B starts at zero, so the first step's gradient reaches B only; give A-side gradients a chance too
                for (LlamaWeights.LoraAdapter ad : w.adapters().values()) {
                    ad.b().addi(0.01f);
                }
                int[][] toks = tokens(c, 9, 2, 8);
                try (NDManager scope = NDManager.newBaseManager(Device.cpu());
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray tok = Forwards.tokensArray(scope, toks);
                    ForwardResult r = LlamaForward.forward(w, tok.get(":, :-1"), null, ForwardOptions.hiddenOnly(),
                            null);
                    NDArray hidden = r.finalHidden().reshape(-1, c.hiddenSize());
                    NDArray loss = TokenNll.compute(w, hidden, tok.get(":, 1:").reshape(-1), 10).mean();
                    assertEquals(DataType.FLOAT32, loss.getDataType());
                    gc.backward(loss);
                }
                for (NDArray p : params) {
                    try (NDArray g = p.getGradient()) {
                        assertEquals(DataType.FLOAT32, g.getDataType());
                        assertTrue(g.abs().sum().getFloat() > 0, d + " " + p.getName() + " got no gradient");
                    }
                    p.setRequiresGradient(false);
                }
                IllegalStateException full = assertThrows(IllegalStateException.class, () -> w.trainable(false));
                assertTrue(full.getMessage().contains("full fine-tuning") && full.getMessage().contains(d.label())
                        && full.getMessage().contains("--dtype f32"), full.getMessage());
                assertThrows(IllegalStateException.class, w::mergeLora);
            }
        }
    }

    @Test
    void float16RefusesWeightsBeyondItsRange() {
        ModelConfig c = TinyModels.llama();
        Map<String, HostTensor> host = RandomInit.weights(c, 2, 0.2);
        host.get("model.layers.1.mlp.down_proj.weight").data()[17] = 1e5f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.F16).close());
        assertTrue(e.getMessage().contains("model.layers.1.mlp.down_proj.weight")
                && e.getMessage().contains("bf16"), e.getMessage());
        // bf16 keeps float32's exponent range
        try (LlamaWeights w = LlamaWeights.fromHost(c, host, Device.cpu(), ComputeDtype.BF16)) {
            assertEquals(1e5f, w.toHost().get("model.layers.1.mlp.down_proj.weight").data()[17], 1e5f / 256);
        }
    }

    @Test
    void castsCarryGradientsBothWays() {
        try (NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = scope.create(new float[] {0f, 1.5f, -2f, 3e-3f}).toType(DataType.FLOAT16, false);
            x.setRequiresGradient(true);
            NDArray c = scope.create(new float[] {2f, -1f, 0.5f, 4f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray wide = Casts.to(x, DataType.FLOAT32);
                assertEquals(DataType.FLOAT32, wide.getDataType());
                NDArray narrow = Casts.to(wide.mul(c), DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, narrow.getDataType());
                gc.backward(Casts.to(narrow, DataType.FLOAT32).sum());
            }
            NDArray g = x.getGradient();
            assertEquals(DataType.FLOAT16, g.getDataType());
            assertArrayEquals(c.toFloatArray(), g.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void dtypeNamesParse() {
        assertEquals(ComputeDtype.BF16, ComputeDtype.parse("bfloat16"));
        assertEquals(ComputeDtype.F16, ComputeDtype.parse(" FP16 "));
        assertEquals(ComputeDtype.F32, ComputeDtype.parse("f32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeDtype.parse("int8"));
        assertTrue(e.getMessage().contains("[f32, f16, bf16]"), e.getMessage());
    }
}
