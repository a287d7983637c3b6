package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.HookPoint;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.immunobench.training.defences.TinyDefenceWorld.CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vaccine's perturbation against an independent computation of ∇_{e_l}L, and the defence end to end. The independent
 * gradient replaces the stream after layer l by a leaf holding the same values (one layer per pass), so the upstream
 * graph is cut and the leaf's gradient is dL/de_l; Vaccine reads it through zero leaves added at all layers at once.
 */
class VaccineTest {
    static final int CHUNK = TrainerConfig.DEFAULT_VOCAB_CHUNK;

    @BeforeAll
    static void engine() {
        TinyDefenceWorld.engine();
    }

    static PaddedBatch alignmentBatch() {
        return new SupervisedObjective(TinyDefenceWorld.examples(12, false, 1), 5).next(6);
    }

    /** dL/de_l for every layer l, L = mean response NLL, each by its own pass with e_l replaced by a leaf. */
    static List<float[]> independentHiddenGradients(LlamaWeights w, PaddedBatch batch) {
        List<float[]> out = new ArrayList<>();
        for (int layer = 0; layer < CONFIG.numLayers(); layer++) {
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
                NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
                NDArray captured = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly().withCapture(),
                        null).hiddenStates().get(HookPoint.post(layer).streamIndex());
                NDArray leaf = captured.duplicate();
                leaf.setRequiresGradient(true);
                HookPoint at = HookPoint.post(layer);
                ResidualIntervention replace = (point, hidden) -> point.equals(at) ? leaf : hidden;
                try (Autograd.Recording r = Autograd.record()) {
                    NDArray loss = SupervisedObjective.nllSum(w, batch, CHUNK, scope, List.of(replace))
                            .mul(scope.full(new Shape(), 1f / batch.lossTokens()));
                    r.backward(loss);
                }
                out.add(leaf.getGradient().toFloatArray());
            }
        }
        return out;
    }

    static List<float[]> host(Map<Integer, NDArray> byLayer) {
        List<float[]> out = new ArrayList<>();
        for (int layer = 0; layer < CONFIG.numLayers(); layer++) {
            out.add(byLayer.get(layer).toFloatArray());
        }
        return out;
    }

    @Test
    void worstCasePerturbationHasNormRhoAlongTheHiddenGradient() {
        double rho = 0.7;
        PaddedBatch batch = alignmentBatch();
        try (LlamaWeights w = TinyDefenceWorld.weights(3); NDManager scope = NDManager.newBaseManager()) {
            List<NDArray> params = WeightChecks.trainable(w);
            NDArray scale = scope.full(new Shape(), 1f / batch.lossTokens());
            LayerPerturbation.Probe worst = Vaccine.worstCase(w, batch, rho, scale, CHUNK, scope, params);
            assertEquals(0.0, WeightChecks.maxAbs(WeightChecks.gradients(params)),
                    "pass 1's weight gradients are discarded");
            List<float[]> epsilon = host(worst.gradients());
            List<float[]> gradient = independentHiddenGradients(w, batch);
            double gradientNorm = WeightChecks.norm(gradient);
            double cosine = WeightChecks.cosine(epsilon, gradient);
            double maxDeviation = 0; // from ρ g / ‖g‖, elementwise
            for (int l = 0; l < epsilon.size(); l++) {
                for (int i = 0; i < epsilon.get(l).length; i++) {
                    maxDeviation = Math.max(maxDeviation,
                            Math.abs(epsilon.get(l)[i] - rho * gradient.get(l)[i] / gradientNorm));
                }
            }
            System.out.printf("Vaccine eps: norm %.7f (rho %.2f), cosine with independent dL/de %.8f, max |eps - rho"
                    + " g/|g|| %.2e, |g| %.4f%n", WeightChecks.norm(epsilon), rho, cosine, maxDeviation,
                    gradientNorm);
            assertEquals(rho, WeightChecks.norm(epsilon), 1e-5 * rho, "global norm over all layers is rho");
            assertEquals(1.0, cosine, 1e-5, "eps points along the hidden-state gradient");
            assertTrue(maxDeviation < 1e-6, "eps_l = rho g_l / |g| at every layer (tolerance 1e-6)");
            for (int l = 0; l < CONFIG.numLayers(); l++) {
                assertTrue(WeightChecks.norm(List.of(gradient.get(l))) > 0, "layer " + l + " has a gradient");
            }
        }
    }

    /** To first order, adding ε raises the loss by ρ ‖g‖: the perturbation is the steepest ascent of that size. */
    @Test
    void smallPerturbationRaisesTheLossByRhoTimesTheGradientNorm() {
        double rho = 0.01;
        PaddedBatch batch = alignmentBatch();
        try (LlamaWeights w = TinyDefenceWorld.weights(3); NDManager scope = NDManager.newBaseManager()) {
            List<NDArray> params = WeightChecks.trainable(w);
            NDArray scale = scope.full(new Shape(), 1f / batch.lossTokens());
            LayerPerturbation.Probe worst = Vaccine.worstCase(w, batch, rho, scale, CHUNK, scope, params);
            double perturbed = LayerPerturbation.perturbedBackward(w, batch, worst.gradients(), scale, CHUNK, scope);
            double predicted = rho * WeightChecks.norm(independentHiddenGradients(w, batch));
            double rise = perturbed - worst.loss();
            System.out.printf("loss %.6f -> %.6f: rise %.3e, first-order rho|g| %.3e%n", worst.loss(), perturbed, rise,
                    predicted);
            assertEquals(predicted, rise, 0.05 * predicted, "within 5% (second-order term and float32 rounding)");
        }
    }

    @Test
    void randomPerturbationHasNormRhoInAnotherDirectionAndSparesPads() {
        double rho = 0.7;
        PaddedBatch batch = alignmentBatch();
        try (LlamaWeights w = TinyDefenceWorld.weights(3); NDManager scope = NDManager.newBaseManager()) {
            WeightChecks.trainable(w);
            List<float[]> epsilon = host(Vaccine.randomDirection(w, batch, rho, new Random(9), scope));
            List<float[]> gradient = independentHiddenGradients(w, batch);
            double cosine = WeightChecks.cosine(epsilon, gradient);
            System.out.printf("random eps: norm %.7f, cosine with dL/de %.4f%n", WeightChecks.norm(epsilon),
                    cosine);
            assertEquals(rho, WeightChecks.norm(epsilon), 1e-5 * rho);
            assertTrue(Math.abs(cosine) < 0.2, "a random direction, nearly orthogonal to the gradient in "
                    + epsilon.size() * epsilon.get(0).length + " dimensions");
            float[] attention = batch.attention();
            int d = CONFIG.hiddenSize();
            boolean anyPad = false;
            for (int position = 0; position < attention.length; position++) {
                if (attention[position] == 0f) {
                    anyPad = true;
                    for (float[] layer : epsilon) {
                        for (int i = 0; i < d; i++) {
                            assertEquals(0f, layer[position * d + i], "pad position " + position);
                        }
                    }
                }
            }
            assertTrue(anyPad, "the batch has pads (prompts of 3–6 tokens)");
        }
    }

    static DefenceResult runThroughRegistry(LlamaWeights w, Map<String, Object> config) {
        return Defences.create(Vaccine.NAME, config, 7, "defences[0].config").apply(w, TinyDefenceWorld.data());
    }

    @Test
    void registryRunChangesTheWeightsReportsMetricsAndRepeatsBitIdentically() {
        Map<String, Object> config = Map.of("steps", 4, "batch", 4, "rho", 0.5, "lr", 1e-3);
        try (LlamaWeights first = TinyDefenceWorld.weights(4); LlamaWeights second = TinyDefenceWorld.weights(4)) {
            Map<String, float[]> before = WeightChecks.snapshot(first);
            DefenceResult result = runThroughRegistry(first, config);
            runThroughRegistry(second, config);
            System.out.println("vaccine: " + result);
            assertEquals("completed", result.status());
            assertEquals(4, result.steps());
            assertEquals(java.util.Set.of("final_loss", "clean_loss_tail", "perturbed_loss_tail", "rho",
                    "random_perturbation"), result.metrics().keySet());
            assertTrue(result.metrics().get("perturbed_loss_tail") > result.metrics().get("clean_loss_tail"),
                    "the worst-case perturbation raises the loss");
            assertFalse(WeightChecks.bitIdentical(before, WeightChecks.snapshot(first)), "weights changed");
            assertTrue(WeightChecks.bitIdentical(WeightChecks.snapshot(first),
                    WeightChecks.snapshot(second)), "same seed, bit-identical weights");
        }
    }

    @Test
    void randomAblationRunsThroughTheRegistryReproducibly() {
        Map<String, Object> config = Map.of("steps", 3, "batch", 4, "random_perturbation", true);
        try (LlamaWeights first = TinyDefenceWorld.weights(4); LlamaWeights second = TinyDefenceWorld.weights(4)) {
            DefenceResult result = runThroughRegistry(first, config);
            runThroughRegistry(second, config);
            assertEquals("completed", result.status());
            assertEquals(1.0, result.metrics().get("random_perturbation"));
            assertFalse(result.metrics().containsKey("clean_loss_tail"), "no gradient pass in the ablation");
            assertTrue(WeightChecks.bitIdentical(WeightChecks.snapshot(first),
                    WeightChecks.snapshot(second)));
        }
    }

    @Test
    void configKeysAreNamedInErrorsAndDefaultsAreFilled() {
        assertEquals(Map.of("steps", 100, "lr", 2e-4, "batch", 8, "rho", 4.0, "random_perturbation", false),
                Defences.resolvedConfig(Vaccine.NAME, null, "defences[0].config"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Defences.create(Vaccine.NAME, Map.of("rho", -1.0), 1, "defences[0].config"));
        assertEquals("defences[0].config: rho must be >= 0, got -1.0", e.getMessage());
    }
}
