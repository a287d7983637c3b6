package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.immunobench.training.defences.MetaFixtures.CONFIG;
import static org.immunobench.training.testing.WeightChecks.assertBitIdentical;
import static org.immunobench.training.defences.MetaFixtures.batch;
import static org.immunobench.training.defences.MetaFixtures.context;
import static org.immunobench.training.testing.WeightChecks.gradients;
import static org.immunobench.training.testing.WeightChecks.maxAbs;
import static org.immunobench.training.testing.WeightChecks.maxAbsDiff;
import static org.immunobench.training.defences.MetaFixtures.tiny;
import static org.immunobench.training.testing.WeightChecks.trainable;
import static org.immunobench.training.testing.WeightChecks.snapshot;
import static org.immunobench.training.testing.WeightChecks.zeroGradients;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TAR on a tiny random Llama: its losses against independent computations, its update, its registry entry. */
class TarTest {
    static final int CHUNK = 1 << 15;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** One-example streams: every batch of a stream is the same, so a test can rebuild the objective's batches. */
    static DefenceData single() {
        return new DefenceData(MetaFixtures.refusals(1), MetaFixtures.harmful(1), MetaFixtures.benign(1), List.of(),
                List.of(), null);
    }

    static LlamaWeights copy(LlamaWeights w) {
        return LlamaWeights.fromHost(w.config(), w.toHost(), w.device());
    }

    /**
     * −H from full logits in double precision on the host: H = −Σ_v p_v log p_v at every position that predicts a
     * response token, averaged; compared with the TR loss, which uses the hidden-state path and log-softmax on the
     * engine.
     */
    @Test
    void entropyLossIsMinusTheEntropyComputedIndependently() {
        try (LlamaWeights w = LlamaWeights.fromHost(CONFIG,
                org.immunobench.lm.model.RandomInit.weights(CONFIG, 8, 0.3), ai.djl.Device.cpu())) {
            List<TrainingExample> rows = MetaFixtures.harmful(3);
            PaddedBatch b = batch(rows, 3); // rows of different lengths, so padding is exercised
            double engine = InnerLoop.value(w, (m, scope) -> Tar.negativeEntropy(m, b, scope));
            double entropySum = 0;
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                NDArray tokens = scope.create(b.inputs(), new Shape(b.rows(), b.length()));
                NDArray mask = scope.create(b.attention(), new Shape(b.rows(), b.length()));
                float[] logits = LlamaForward.forward(w, tokens, mask, ForwardOptions.allLogits(), null).logits()
                        .toFloatArray(); // (B·T·V)
                int v = CONFIG.vocabSize();
                for (long position : b.targetPositions()) {
                    int base = (int) position * v;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < v; i++) {
                        max = Math.max(max, logits[base + i]);
                    }
                    double z = 0;
                    for (int i = 0; i < v; i++) {
                        z += Math.exp(logits[base + i] - max);
                    }
                    double h = 0;
                    for (int i = 0; i < v; i++) {
                        double logP = logits[base + i] - max - Math.log(z);
                        h -= Math.exp(logP) * logP;
                    }
                    entropySum += h;
                }
            }
            double entropy = entropySum / b.targetPositions().length;
            System.out.printf("TR entropy loss %.7f, −H on the host %.7f (ln V = %.4f), |Δ| %.2e (tolerance 1e-5)%n",
                    engine, -entropy, Math.log(CONFIG.vocabSize()), Math.abs(engine + entropy));
            assertEquals(-entropy, engine, 1e-5);
            assertTrue(entropy < Math.log(CONFIG.vocabSize()) - 0.05, "std 0.3 weights are far from uniform: "
                    + entropy);
        }
    }

    @Test
    void stepWeightsFollowTheCodesSchedule() {
        double[] w = Tar.stepWeights(4, 1, 1.0);
        assertEquals(5, w.length);
        assertEquals(0.0, w[0]);
        for (int k = 1; k <= 4; k++) {
            assertEquals(Math.exp(k - 4.0), w[k], 1e-15);
        }
        double[] paper = Tar.stepWeights(64, 4, 0.0625); // K 64, every 4th step, λ_s 0.0625
        double sum = 0;
        int evaluated = 0;
        for (int k = 1; k <= 64; k++) {
            if (paper[k] > 0) {
                assertEquals(0, k % 4, "evaluated at step " + k);
                evaluated++;
                sum += paper[k];
            }
        }
        assertEquals(16, evaluated);
        assertEquals(1.0, paper[64]);
        assertEquals(Math.exp(-0.0625 * 60), paper[4], 1e-15);
        assertEquals((1 - Math.exp(-4.0)) / (1 - Math.exp(-0.25)), sum, 1e-12); // ≈ 4.44
        assertEquals(List.of(1.0, 1.0), List.of(Tar.stepWeights(2, 1, 0.0)[1], Tar.stepWeights(2, 1, 0.0)[2]));
    }

    /** At θ = θ_init the representation term is exactly 0 and the CE is the plain mean response NLL. */
    @Test
    void retainTermAtTheInitialWeightsIsTheCrossEntropy() {
        try (LlamaWeights w = tiny(6); LlamaWeights initial = copy(w)) {
            List<NDArray> params = trainable(w);
            PaddedBatch b = batch(MetaFixtures.benign(3), 3);
            double[] terms = Tar.retainBackward(w, initial, b, CHUNK, 1.0);
            double nll = InnerLoop.value(w, InnerLoop.meanNll(b, CHUNK));
            System.out.printf("retain at θ_init: CE %.6f (mean NLL %.6f), MSE %.3e%n", terms[0], nll, terms[1]);
            assertEquals(0.0, terms[1]);
            assertEquals(nll, terms[0], 1e-6);
            assertTrue(maxAbs(gradients(params)) > 0);
        }
    }

    /**
     * Objective.step leaves θ bit-identical (the attack ran on the same arrays and was undone), while the attack did
     * move the weights: with a one-example harmful stream every adversary batch is the same, so the NLL falling from
     * the first step to the last can only come from the weights changing.
     */
    @Test
    void stepLeavesTheOuterWeightsBitIdenticalAfterAttackingThem() {
        Tar tar = new Tar(new Tar.TarConfig(1, null, 2, 3, List.of(0.5), null, null, null, null, null), 11);
        try (LlamaWeights w = tiny(7); LlamaWeights initial = copy(w)) {
            List<NDArray> params = trainable(w);
            Map<String, float[]> before = snapshot(w);
            StepLoss loss = tar.objective(initial, single()).step(context(w, params, 2));
            assertBitIdentical(before, snapshot(w));
            Map<String, Double> parts = loss.parts();
            System.out.println("tar step parts: " + parts);
            assertTrue(parts.get("adversary_nll_end") < parts.get("adversary_nll_start") - 0.1,
                    "the simulated attack moved the weights");
            assertTrue(maxAbs(gradients(params)) > 0, "the step left a gradient for the trainer");
            assertTrue(Double.isFinite(loss.loss()));
        }
    }

    /**
     * The gradient the step leaves is λ_TR Σ_k w_k ∇L_TR(θ_k) + λ_retain ∇L_retain(θ), each term computed
     * separately here (walking the same attack by hand). θ_init is a different model so the MSE term is not zero.
     */
    @Test
    void gradientIsTheScheduledSumOfFirstOrderTermsPlusTheRetainTerm() {
        double lambdaTr = 2.0;
        double lambdaRetain = 0.5;
        double eta = 0.4;
        Tar tar = new Tar(new Tar.TarConfig(1, null, 2, 2, List.of(eta), "entropy", lambdaTr, lambdaRetain, 1, 1.0),
                3);
        try (LlamaWeights w = tiny(9); LlamaWeights initial = tiny(10)) {
            List<NDArray> params = trainable(w);
            tar.objective(initial, single()).step(context(w, params, 2));
            List<float[]> got = gradients(params);
            zeroGradients(params);

            PaddedBatch harmful = batch(MetaFixtures.harmful(1), 2);
            InnerLoop.Loss tr = (m, scope) -> Tar.negativeEntropy(m, harmful, scope);
            double[] stepWeights = Tar.stepWeights(2, 1, 1.0);
            List<float[]> expected = new ArrayList<>();
            for (NDArray p : params) {
                expected.add(new float[Math.toIntExact(p.size())]);
            }
            try (InnerLoop walk = InnerLoop.begin(w, params)) {
                for (int k = 1; k <= 2; k++) {
                    walk.descend(InnerLoop.meanNll(harmful, CHUNK), eta);
                    InnerLoop.backward(w, tr, 1.0);
                    addScaled(expected, gradients(params), lambdaTr * stepWeights[k]);
                    zeroGradients(params);
                }
            }
            double[] retain = Tar.retainBackward(w, initial, batch(MetaFixtures.benign(1), 2), CHUNK, 1.0);
            addScaled(expected, gradients(params), lambdaRetain);
            double err = 0;
            for (int i = 0; i < got.size(); i++) {
                for (int j = 0; j < got.get(i).length; j++) {
                    err = Math.max(err, Math.abs(got.get(i)[j] - expected.get(i)[j]));
                }
            }
            double scale = maxAbs(expected);
            System.out.printf("tar gradient vs separate terms: max |Δ| %.2e of max |g| %.2e (tolerance 1e-5"
                    + " relative); retain CE %.4f MSE %.4f%n", err, scale, retain[0], retain[1]);
            assertTrue(retain[1] > 0);
            assertTrue(err <= 1e-5 * scale);
        }
    }

    static void addScaled(List<float[]> into, List<float[]> add, double c) {
        for (int i = 0; i < into.size(); i++) {
            for (int j = 0; j < into.get(i).length; j++) {
                into.get(i)[j] += (float) (c * add.get(i)[j]);
            }
        }
    }

    static Map<String, Object> smallBudget(String trLoss) {
        return Map.of("steps", 3, "batch", 2, "inner_steps", 2, "adversary_lrs", List.of(0.1, 0.3), "tr_loss", trLoss,
                "lr", 1e-3);
    }

    static DefenceResult run(Map<String, Object> config, long seed, Map<String, float[]>[] out) {
        try (LlamaWeights w = tiny(12)) {
            Map<String, float[]> before = snapshot(w);
            DefenceResult r = Defences.create("tar", config, seed, "defences[0].config").apply(w, MetaFixtures.data(6));
            out[0] = before;
            out[1] = snapshot(w);
            return r;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void runsThroughTheRegistryDeterministically() {
        Map<String, float[]>[] first = new Map[2];
        Map<String, float[]>[] second = new Map[2];
        DefenceResult a = run(smallBudget("entropy"), 5, first);
        DefenceResult b = run(smallBudget("entropy"), 5, second);
        System.out.println("tar: " + a);
        assertEquals("completed", a.status());
        assertEquals(3, a.steps());
        assertTrue(maxAbsDiff(first[0], first[1]) > 0, "the defence changed the weights");
        for (String key : List.of("final_loss", "tamper_resistance_first", "tamper_resistance_last", "retain_ce_last",
                "retain_mse_last", "adversary_nll_start_last", "adversary_nll_end_last", "inner_steps")) {
            assertNotNull(a.metrics().get(key), key);
            assertTrue(Double.isFinite(a.metrics().get(key)), key);
        }
        assertBitIdentical(first[1], second[1]);
        assertEquals(a.metrics().get("final_loss"), b.metrics().get("final_loss"));

        Map<String, float[]>[] refusal = new Map[2];
        DefenceResult r = run(smallBudget("refusal"), 5, refusal);
        assertEquals("completed", r.status());
        assertTrue(maxAbsDiff(refusal[1], first[1]) > 0, "the refusal variant trains on another loss");
    }

    @Test
    void configDefaultsAndErrorsNameTheirKeys() {
        Tar tar = (Tar) Defences.create("tar", null, 1, "defences[0].config");
        assertEquals(Tar.TarConfig.defaults(), tar.config());
        assertEquals("entropy", tar.config().trLoss());
        Map<String, Object> resolved = Defences.resolvedConfig("tar", Map.of(), "defences[0].config");
        assertEquals(List.of("steps", "lr", "batch", "inner_steps", "adversary_lrs", "tr_loss", "lambda_tr",
                "lambda_retain", "tr_every", "schedule_lambda"), List.copyOf(resolved.keySet()));
        assertEquals("defences[0].config: tr_loss must be entropy or refusal, got 'dpo'",
                error(Map.of("tr_loss", "dpo")));
        assertEquals("defences[0].config: tr_every must be <= inner_steps=2 (else the TR loss is never evaluated),"
                + " got 3", error(Map.of("inner_steps", 2, "tr_every", 3)));
        assertEquals("defences[0].config: adversary_lrs must list at least one learning rate",
                error(Map.of("adversary_lrs", List.of())));
        assertEquals("defences[0].config: adversary_lrs entries must be finite and > 0, got -0.1",
                error(Map.of("adversary_lrs", List.of(0.1, -0.1))));
        assertEquals("defences[0].config: inner_steps must be > 0, got 0", error(Map.of("inner_steps", 0)));
        try (LlamaWeights w = tiny(1)) {
            DefenceData noBenign = new DefenceData(List.of(), MetaFixtures.harmful(2), List.of(), List.of(), List.of(),
                    null);
            assertEquals("tar needs benign examples, and the defence data has none", assertThrows(
                    IllegalArgumentException.class, () -> tar.apply(w, noBenign)).getMessage());
        }
    }

    static String error(Map<String, Object> config) {
        return assertThrows(IllegalArgumentException.class,
                () -> Defences.create("tar", config, 1, "defences[0].config")).getMessage();
    }
}
