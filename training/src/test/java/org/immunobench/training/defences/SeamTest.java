package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.testing.WeightChecks;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SEAM's finite-difference Hessian-vector product against an exact one (libtorch double backward through the tiny
 * model), its estimate of ∇cos(g_a, g_b) against a central difference of the cosine itself, and the defence end to
 * end.
 */
class SeamTest {
    static final String PATH = "defences[0].config";
    static final int CHUNK = TrainerConfig.DEFAULT_VOCAB_CHUNK;
    static final List<TrainingExample> HARMFUL = MetaFixtures.harmful(12);
    static final List<TrainingExample> REFUSALS = MetaFixtures.refusals(12);
    static final List<TrainingExample> BENIGN = MetaFixtures.benign(12);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /**
     * H v by double backward: the first backward keeps its graph (create_graph), so the gradient g(θ) is itself
     * differentiable; backward of ⟨g, v⟩ then adds H v to the parameters' gradients, which end as g + H v.
     */
    static List<float[]> exactHessianVectorProduct(LlamaWeights w, List<NDArray> params, PaddedBatch batch,
            List<float[]> v) {
        List<float[]> g;
        List<float[]> gPlusHv;
        boolean previous = JniUtils.isGradMode();
        try (NDManager scope = NDManager.newBaseManager()) {
            JniUtils.setGradMode(true);
            NDArray loss = InnerLoop.meanNll(batch, CHUNK).compute(w, scope);
            JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), true, true);
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : params) {
                NDArray gi = p.getGradient();
                gi.attach(scope);
                grads.add(gi);
            }
            g = new ArrayList<>();
            NDArray inner = null;
            for (int i = 0; i < params.size(); i++) {
                g.add(grads.get(i).toFloatArray());
                NDArray term = grads.get(i).mul(scope.create(v.get(i), params.get(i).getShape())).sum();
                inner = inner == null ? term : inner.add(term);
            }
            // (DJL's JniUtils.requiresGrad answers false even for arrays with a grad_fn, so no check here: if the
            // first backward had not kept a graph, the second would fail or add nothing, and H v would be 0.)
            JniUtils.backward((PtNDArray) inner, (PtNDArray) inner.onesLike(), false, false);
            JniUtils.setGradMode(false);
            gPlusHv = WeightChecks.gradients(params);
        } finally {
            JniUtils.setGradMode(previous);
        }
        List<float[]> hv = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            float[] d = new float[g.get(i).length];
            for (int j = 0; j < d.length; j++) {
                d[j] = gPlusHv.get(i)[j] - g.get(i)[j];
            }
            hv.add(d);
        }
        return hv;
    }

    static double relativeError(List<float[]> estimate, List<float[]> exact) {
        return WeightChecks.norm(BoosterTest.subtract(estimate, exact)) / WeightChecks.norm(exact);
    }

    @Test
    void finiteDifferenceHessianVectorProductMatchesDoubleBackward() {
        PaddedBatch harm = MetaFixtures.batch(HARMFUL, 6);
        PaddedBatch good = MetaFixtures.batch(BENIGN, 6);
        List<float[]> v;
        List<float[]> exact;
        try (LlamaWeights w = MetaFixtures.tiny(3)) {
            List<NDArray> params = WeightChecks.trainable(w);
            // The direction SEAM uses for H_a: ĝ_b − c ĝ_a.
            SupervisedObjective.forwardBackward(w, harm, harm.lossTokens(), CHUNK);
            List<float[]> ga = WeightChecks.gradients(params);
            WeightChecks.zeroGradients(params);
            SupervisedObjective.forwardBackward(w, good, good.lossTokens(), CHUNK);
            List<float[]> gb = WeightChecks.gradients(params);
            WeightChecks.zeroGradients(params);
            double c = WeightChecks.cosine(ga, gb);
            double na = WeightChecks.norm(ga);
            double nb = WeightChecks.norm(gb);
            v = new ArrayList<>();
            for (int i = 0; i < ga.size(); i++) {
                float[] d = new float[ga.get(i).length];
                for (int j = 0; j < d.length; j++) {
                    d[j] = (float) (gb.get(i)[j] / nb - c * ga.get(i)[j] / na);
                }
                v.add(d);
            }
            exact = exactHessianVectorProduct(w, params, harm, v);
        }
        Map<Double, Double> errors = new LinkedHashMap<>();
        for (double eps : new double[] {1e-1, 1e-2, 1e-3}) {
            try (LlamaWeights w = MetaFixtures.tiny(3); NDManager scope = NDManager.newBaseManager()) {
                List<NDArray> params = WeightChecks.trainable(w);
                Map<String, float[]> before = WeightChecks.snapshot(w);
                InnerLoop.Loss loss = InnerLoop.meanNll(harm, CHUNK);
                InnerLoop.backward(w, loss, 1.0);
                List<NDArray> g = Seam.takeGradients(params, scope);
                List<NDArray> direction = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    direction.add(scope.create(v.get(i), params.get(i).getShape()));
                }
                List<NDArray> hv = Seam.hessianVectorProduct(w, params, loss, g, direction, eps, scope);
                List<float[]> estimate = new ArrayList<>();
                hv.forEach(a -> estimate.add(a.toFloatArray()));
                errors.put(eps, relativeError(estimate, exact));
                WeightChecks.assertBitIdentical(before, WeightChecks.snapshot(w));
                assertEquals(0.0, WeightChecks.maxAbs(WeightChecks.gradients(params)), "gradients left at zero");
            }
        }
        System.out.println("SEAM finite-difference H v vs double backward, relative error by epsilon: " + errors
                + ", |Hv| " + WeightChecks.norm(exact));
        assertTrue(WeightChecks.norm(exact) > 1e-3, "a non-trivial H v to compare against");
        assertTrue(errors.get(1e-3) < 1e-2, "at the default epsilon 1e-3 within 1%");
        assertTrue(errors.get(1e-2) < errors.get(1e-1), "the error shrinks with epsilon (O(epsilon))");
    }

    /**
     * ∇L_sd as the objective estimates it (its gradient with β = 1 minus its gradient with β = 0, same batches),
     * against the central difference of cos(g_a, g_b) along that very direction.
     */
    @Test
    void cosineGradientEstimateMatchesACentralDifferenceOfTheCosine() {
        int batch = 6;
        TrainerConfig cfg = TrainerConfig.defaults(1e-3, 1, batch).withLogEvery(0);
        Map<String, HostTensor> host;
        try (LlamaWeights original = MetaFixtures.tiny(4)) {
            host = original.toHost();
        }
        List<float[]> withCos;
        List<float[]> without;
        try (LlamaWeights w = LlamaWeights.fromHost(MetaFixtures.CONFIG, host, ai.djl.Device.cpu())) {
            withCos = gradientOfObjective(w, 1.0, cfg);
        }
        try (LlamaWeights w = LlamaWeights.fromHost(MetaFixtures.CONFIG, host, ai.djl.Device.cpu())) {
            without = gradientOfObjective(w, 0.0, cfg);
        }
        List<float[]> estimate = BoosterTest.subtract(withCos, without);
        double norm = WeightChecks.norm(estimate);
        double h = 1e-2;
        double plus = cosineAt(host, estimate, h / norm, batch);
        double minus = cosineAt(host, estimate, -h / norm, batch);
        double central = (plus - minus) / (2 * h); // directional derivative along the unit vector estimate / ‖·‖
        System.out.printf("SEAM: |grad cos| estimate %.5f, central difference of cos along it %.5f%n", norm, central);
        assertTrue(norm > 1e-3, "a non-trivial cosine gradient");
        assertEquals(norm, central, 0.05 * norm, "the estimate's length equals the slope of cos along it");
    }

    private static List<float[]> gradientOfObjective(LlamaWeights w, double beta, TrainerConfig cfg) {
        List<NDArray> params = WeightChecks.trainable(w);
        Seam.SeamConfig config = new Seam.SeamConfig(1, null, cfg.batchSize(), null, beta, null);
        new Seam.SelfDestructObjective(HARMFUL, REFUSALS, BENIGN, config, 11).step(new StepContext(w, params, 1, cfg));
        return WeightChecks.gradients(params);
    }

    /** cos(g_a, g_b) at θ + t · d on the objective's first batches (harmful stream seed 11, benign seed 13). */
    private static double cosineAt(Map<String, HostTensor> host, List<float[]> d, double t, int batch) {
        Map<String, HostTensor> shifted = new LinkedHashMap<>();
        int k = 0;
        for (HostTensor tensor : host.values()) {
            float[] data = tensor.data().clone();
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (data[i] + t * d.get(k)[i]);
            }
            shifted.put(tensor.name(), new HostTensor(tensor.name(), tensor.shape(), data));
            k++;
        }
        PaddedBatch harm = new SupervisedObjective(HARMFUL, 11).next(batch);
        PaddedBatch good = new SupervisedObjective(BENIGN, 13).next(batch);
        try (LlamaWeights w = LlamaWeights.fromHost(MetaFixtures.CONFIG, shifted, ai.djl.Device.cpu())) {
            List<NDArray> params = WeightChecks.trainable(w);
            SupervisedObjective.forwardBackward(w, harm, harm.lossTokens(), CHUNK);
            List<float[]> ga = WeightChecks.gradients(params);
            WeightChecks.zeroGradients(params);
            SupervisedObjective.forwardBackward(w, good, good.lossTokens(), CHUNK);
            return WeightChecks.cosine(ga, WeightChecks.gradients(params));
        }
    }

    @Test
    void runsThroughTheRegistryAndIsReproducible() {
        Map<String, Object> small = Map.of("steps", 4, "batch", 4, "lr", 1e-2);
        Map<String, float[]> after;
        DefenceResult r;
        try (LlamaWeights w = MetaFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            r = Defences.create("seam", small, 7, PATH).apply(w, MetaFixtures.data(12));
            after = WeightChecks.snapshot(w);
            assertTrue(WeightChecks.maxAbsDiff(before, after) > 0, "weights moved");
        }
        System.out.println("seam metrics " + r.metrics());
        assertEquals("completed", r.status());
        assertEquals(4, r.steps());
        RepresentationFixtures.assertFiniteMetrics(r, List.of("final_loss", "unlearn_loss_tail", "refusal_loss_tail",
                "harmful_loss_tail", "benign_loss_tail", "gradient_cosine_tail"));
        try (LlamaWeights again = MetaFixtures.tiny(5)) {
            Defences.create("seam", small, 7, PATH).apply(again, MetaFixtures.data(12));
            WeightChecks.assertBitIdentical(after, WeightChecks.snapshot(again));
        }
        assertEquals("defences[0].config: epsilon must be > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> Defences.create("seam", Map.of("epsilon", 0.0), 1, PATH)).getMessage());
        assertEquals(Map.of("steps", 100, "lr", 1e-4, "batch", 8, "alpha", 1.0, "beta", 0.01, "epsilon", 1e-3),
                Defences.resolvedConfig("seam", null, PATH));
        DefenceData noBenign = new DefenceData(REFUSALS, HARMFUL, List.of(), List.of(), List.of(), null);
        try (LlamaWeights w = MetaFixtures.tiny(5)) {
            assertEquals("seam needs the benign stream; the defender data has none",
                    assertThrows(IllegalArgumentException.class,
                            () -> Defences.create("seam", small, 7, PATH).apply(w, noBenign)).getMessage());
        }
    }
}
