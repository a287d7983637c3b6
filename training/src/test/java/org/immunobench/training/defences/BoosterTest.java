package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Booster's simulated step and its accumulated gradient against separate passes, and the defence end to end. */
class BoosterTest {
    static final int CHUNK = TrainerConfig.DEFAULT_VOCAB_CHUNK;
    static final List<TrainingExample> ALIGNMENT = TinyDefenceWorld.examples(12, false, 1);
    static final List<TrainingExample> HARMFUL = TinyDefenceWorld.examples(12, true, 2);

    @BeforeAll
    static void engine() {
        TinyDefenceWorld.engine();
    }

    /** Leaves the mean-NLL gradient of {@code batch} in the parameters' gradients (added to what is there). */
    static double gradient(LlamaWeights w, PaddedBatch batch) {
        return SupervisedObjective.forwardBackward(w, batch, batch.lossTokens(), CHUNK);
    }

    @Test
    void simulatedStepMovesByAlphaAlongTheNormalisedGradientAndRestoresBitExactly() {
        double alpha = 0.3;
        try (LlamaWeights w = TinyDefenceWorld.weights(3)) {
            List<NDArray> params = WeightChecks.trainable(w);
            gradient(w, new SupervisedObjective(HARMFUL, 1).next(6));
            List<float[]> g = WeightChecks.gradients(params);
            double gNorm = WeightChecks.norm(g);
            List<float[]> before = new ArrayList<>();
            params.forEach(p -> before.add(p.toFloatArray()));
            List<float[]> during = new ArrayList<>();
            try (SimulatedStep step = SimulatedStep.alongGradients(params, alpha)) {
                assertEquals(gNorm, step.directionNorm(), 1e-5 * gNorm);
                params.forEach(p -> during.add(p.toFloatArray()));
            }
            double maxDeviation = 0; // of w' from w − α g/‖g‖, computed here in double
            List<float[]> moved = new ArrayList<>();
            for (int t = 0; t < params.size(); t++) {
                float[] d = new float[before.get(t).length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = during.get(t)[i] - before.get(t)[i];
                    double expected = before.get(t)[i] - alpha * g.get(t)[i] / gNorm;
                    maxDeviation = Math.max(maxDeviation, Math.abs(during.get(t)[i] - expected));
                }
                moved.add(d);
            }
            double length = WeightChecks.norm(moved);
            double cosine = WeightChecks.cosine(moved, g);
            System.out.printf("simulated step: |w' - w| %.7f (alpha %.2f), cosine with -grad %.8f, max |w' - (w -"
                    + " alpha g/|g|)| %.2e%n", length, alpha, -cosine, maxDeviation);
            assertTrue(maxDeviation < 1e-6, "elementwise within float rounding of the weights (tolerance 1e-6)");
            assertEquals(alpha, length, 1e-4 * alpha, "the step has length alpha");
            assertEquals(-1.0, cosine, 1e-6, "along the negative normalised gradient");
            for (int t = 0; t < params.size(); t++) {
                assertTrue(WeightChecks.bitIdentical(before.get(t), params.get(t).toFloatArray()),
                        "parameter " + t + " restored bit-exactly");
            }
            List<float[]> gAfter = WeightChecks.gradients(params);
            for (int t = 0; t < params.size(); t++) {
                assertTrue(WeightChecks.bitIdentical(g.get(t), gAfter.get(t)), "gradients untouched");
            }
        }
    }

    @Test
    void simulatedStepRefusesGradMode() {
        try (LlamaWeights w = TinyDefenceWorld.weights(3)) {
            List<NDArray> params = WeightChecks.trainable(w);
            JniUtils.setGradMode(true);
            try {
                assertThrows(IllegalStateException.class, () -> SimulatedStep.alongGradients(params, 0.1));
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    /**
     * g = ∇f(w) + λ (∇h(w) − ∇h(w')), w' = w − α ∇h(w)/‖∇h(w)‖, against three separate passes on the same batches,
     * with w' built in double precision on the host as a second model.
     */
    @Test
    void accumulatedGradientEqualsTheFirstOrderFormula() {
        double lambda = 2.0;
        double alpha = 0.5;
        int batch = 6;
        TrainerConfig cfg = TrainerConfig.defaults(1e-3, 1, batch);
        Map<String, HostTensor> host;
        try (LlamaWeights original = TinyDefenceWorld.weights(3)) {
            host = original.toHost();
        }
        try (LlamaWeights w = TinyDefenceWorld.fromHost(host)) {
            List<NDArray> params = WeightChecks.trainable(w);
            Map<String, float[]> before = WeightChecks.snapshot(w);
            Booster.Attenuation objective = new Booster.Attenuation(new SupervisedObjective(ALIGNMENT, 1),
                    new SupervisedObjective(HARMFUL, 2), lambda, alpha);
            StepLoss loss = objective.step(new StepContext(w, params, 1, cfg));
            List<float[]> actual = WeightChecks.gradients(params);
            assertTrue(WeightChecks.bitIdentical(before, WeightChecks.snapshot(w)),
                    "the objective leaves the weights as it found them");

            PaddedBatch align = new SupervisedObjective(ALIGNMENT, 1).next(batch);
            PaddedBatch attack = new SupervisedObjective(HARMFUL, 2).next(batch);
            List<float[]> gh;
            List<float[]> gf;
            double h;
            double f;
            try (LlamaWeights fresh = TinyDefenceWorld.fromHost(host)) {
                List<NDArray> p = WeightChecks.trainable(fresh);
                h = gradient(fresh, attack);
                gh = WeightChecks.gradients(p);
                WeightChecks.trainable(fresh);
                f = gradient(fresh, align);
                gf = WeightChecks.gradients(p);
            }
            double ghNorm = WeightChecks.norm(gh);
            Map<String, HostTensor> stepped = new LinkedHashMap<>();
            int t = 0;
            for (HostTensor tensor : host.values()) {
                float[] data = tensor.data().clone();
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (data[i] - alpha * gh.get(t)[i] / ghNorm);
                }
                stepped.put(tensor.name(), new HostTensor(tensor.name(), tensor.shape(), data));
                t++;
            }
            List<float[]> ghAfter;
            double hAfter;
            try (LlamaWeights shifted = TinyDefenceWorld.fromHost(stepped)) {
                List<NDArray> p = WeightChecks.trainable(shifted);
                hAfter = gradient(shifted, attack);
                ghAfter = WeightChecks.gradients(p);
            }
            List<float[]> expected = new ArrayList<>();
            double maxDiff = 0;
            for (int k = 0; k < gf.size(); k++) {
                float[] e = new float[gf.get(k).length];
                for (int i = 0; i < e.length; i++) {
                    e[i] = (float) (gf.get(k)[i] + lambda * ((double) gh.get(k)[i] - ghAfter.get(k)[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(e[i] - actual.get(k)[i]));
                }
                expected.add(e);
            }
            double scale = WeightChecks.maxAbs(expected);
            double attenuation = WeightChecks.norm(gh) > 0 ? lambda * WeightChecks.norm(subtract(gh, ghAfter))
                    : 0;
            System.out.printf("Booster gradient vs separate passes: max |diff| %.2e of max |g| %.2e (tolerance 1e-5"
                    + " relative); |lambda (gh - gh')| %.3e; h %.5f -> h' %.5f, f %.5f%n", maxDiff, scale,
                    attenuation, h, hAfter, f);
            assertTrue(maxDiff <= 1e-5 * scale);
            assertTrue(attenuation > 1e-2 * scale, "the attenuation term is not negligible in this check");
            assertTrue(hAfter < h, "the simulated step lowers the harmful loss");
            assertEquals(f + lambda * (h - hAfter), loss.loss(), 1e-5, "loss = f + lambda (h - h')");
            assertEquals(h, loss.parts().get("harmful_loss"), 1e-6);
            assertEquals(hAfter, loss.parts().get("harmful_loss_after_step"), 1e-5);
            assertEquals(f, loss.parts().get("alignment_loss"), 1e-6);
            assertEquals(ghNorm, loss.parts().get("harmful_gradient_norm"), 1e-5 * ghNorm);
        }
    }

    static List<float[]> subtract(List<float[]> a, List<float[]> b) {
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < a.size(); k++) {
            float[] d = new float[a.get(k).length];
            for (int i = 0; i < d.length; i++) {
                d[i] = a.get(k)[i] - b.get(k)[i];
            }
            out.add(d);
        }
        return out;
    }

    static DefenceResult runThroughRegistry(LlamaWeights w, Map<String, Object> config) {
        return Defences.create(Booster.NAME, config, 7, "defences[0].config").apply(w, TinyDefenceWorld.data());
    }

    @Test
    void registryRunChangesTheWeightsReportsMetricsAndRepeatsBitIdentically() {
        Map<String, Object> config = Map.of("steps", 4, "batch", 4, "lr", 1e-3, "lambda", 5.0, "alpha", 0.1);
        try (LlamaWeights first = TinyDefenceWorld.weights(4); LlamaWeights second = TinyDefenceWorld.weights(4)) {
            Map<String, float[]> before = WeightChecks.snapshot(first);
            DefenceResult result = runThroughRegistry(first, config);
            runThroughRegistry(second, config);
            System.out.println("booster: " + result);
            assertEquals("completed", result.status());
            assertEquals(4, result.steps());
            assertEquals(java.util.Set.of("final_loss", "alignment_loss_tail", "harmful_loss_tail",
                    "harmful_loss_after_step_tail", "harmful_gradient_norm_tail", "lambda", "alpha"),
                    result.metrics().keySet());
            assertFalse(WeightChecks.bitIdentical(before, WeightChecks.snapshot(first)), "weights changed");
            assertTrue(WeightChecks.bitIdentical(WeightChecks.snapshot(first),
                    WeightChecks.snapshot(second)), "same seed, bit-identical weights");
        }
    }

    @Test
    void configKeysAreNamedInErrorsAndDefaultsAreFilled() {
        assertEquals(Map.of("steps", 100, "lr", 2e-4, "batch", 8, "lambda", 5.0, "alpha", 0.1),
                Defences.resolvedConfig(Booster.NAME, null, "defences[0].config"));
        assertEquals("defences[0].config: alpha must be >= 0, got -0.1", assertThrows(IllegalArgumentException.class,
                () -> Defences.create(Booster.NAME, Map.of("alpha", -0.1), 1, "defences[0].config")).getMessage());
    }
}
