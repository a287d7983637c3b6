package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.immunobench.training.defences.CollapseFixtures.CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CTRAP's pieces against independent computations on a tiny random Llama: the collapse loss against a host
 * log-softmax, the simulated step against w − α g/‖g‖ computed on the host, and one whole update's gradient against
 * λ ∇l_collapse at a host-built copy of the stepped weights plus ∇(alignment + retain) at w.
 */
class CtrapTest {
    static final int TOKEN = 7;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** Collapse loss from a host log-softmax: per example the mean of −log p(e) over its response positions. */
    static double independentCollapse(LlamaWeights w, List<TrainingExample> examples, int token) {
        double[][] logp = CollapseFixtures.targetLogSoftmax(w, examples);
        double total = 0;
        int k = 0;
        for (TrainingExample e : examples) {
            int n = e.lossTokens();
            double sum = 0;
            for (int t = 0; t < n; t++) {
                sum += -logp[k++][token];
            }
            total += sum / n;
        }
        return total / examples.size();
    }

    static double collapse(LlamaWeights w, List<TrainingExample> examples, int token) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return Ctrap.collapseLoss(w, ResponseBatch.of(examples), token, scope, 32768).getFloat();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    @Test
    void collapseLossIsTheNllOfTheFixedTokenAtEveryResponsePosition() {
        List<TrainingExample> examples = CollapseFixtures.benign(5); // responses of 3 and 4 tokens: unequal means
        try (LlamaWeights w = CollapseFixtures.model(1)) {
            for (int token : new int[] {TOKEN, CollapseFixtures.EOS}) {
                double expected = independentCollapse(w, examples, token);
                double actual = collapse(w, examples, token);
                System.out.printf("collapse loss token %d: %.7f vs independent %.7f%n", token, actual, expected);
                assertEquals(expected, actual, 1e-5 * Math.abs(expected));
            }
            // Vocabulary chunking does not change it.
            boolean previous = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                double chunked = Ctrap.collapseLoss(w, ResponseBatch.of(examples), TOKEN, scope, 7).getFloat();
                assertEquals(independentCollapse(w, examples, TOKEN), chunked, 1e-5 * chunked);
            } finally {
                JniUtils.setGradMode(previous);
            }
        }
    }

    @Test
    void simulatedStepMovesAlongTheNormalisedGradientAndIsUndoneBitExactly() {
        double alpha = 0.3;
        try (LlamaWeights w = CollapseFixtures.model(2)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            CollapseFixtures.asTrainer(w, params -> {
                ResponseBatch.of(CollapseFixtures.harmful(4)).backwardMeanNll(w, 1.0, 32768);
                Map<String, float[]> g = WeightChecks.gradients(w);
                double sq = 0;
                for (float[] x : g.values()) {
                    for (float v : x) {
                        sq += (double) v * v;
                    }
                }
                double norm = Math.sqrt(sq);
                try (SimulatedStep step = SimulatedStep.alongGradients(params, alpha)) {
                    assertEquals(norm, step.directionNorm(), 1e-5 * norm);
                    Map<String, float[]> stepped = WeightChecks.snapshot(w);
                    double worst = 0;
                    for (String name : before.keySet()) {
                        float[] w0 = before.get(name);
                        float[] w1 = stepped.get(name);
                        float[] gg = g.get(name);
                        for (int i = 0; i < w0.length; i++) {
                            worst = Math.max(worst, Math.abs(w1[i] - (w0[i] - alpha * gg[i] / norm)));
                        }
                    }
                    System.out.printf("simulated step: max |w' − (w − α g/‖g‖)| = %.3g%n", worst);
                    assertTrue(worst < 1e-6, "stepped weights off by " + worst);
                    assertTrue(WeightChecks.maxAbsDiff(before, stepped) > 1e-3, "the step moved nothing");
                    assertTrue(WeightChecks.bitIdentical(g, WeightChecks.gradients(w)),
                            "the step leaves the gradients alone");
                }
                assertTrue(WeightChecks.bitIdentical(before, WeightChecks.snapshot(w)),
                        "weights restored bit-exactly");
                try (Autograd.Recording r = Autograd.record()) {
                    assertThrows(IllegalStateException.class, () -> SimulatedStep.alongGradients(params, alpha));
                }
            });
        }
    }

    /** A tiny model whose arrays hold {@code values} (by name). */
    static LlamaWeights withValues(Map<String, float[]> values) {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        Map<String, HostTensor> shapes = org.immunobench.lm.model.RandomInit.weights(CONFIG, 0);
        values.forEach((name, v) -> host.put(name, new HostTensor(name, shapes.get(name).shape(), v)));
        return LlamaWeights.fromHost(CONFIG, host, Device.cpu());
    }

    /** The gradient of {@code loss} with respect to {@code w}'s arrays, by name, from a recording of its own. */
    static Map<String, float[]> gradientOf(LlamaWeights w, java.util.function.Function<NDManager, NDArray> loss) {
        Map<String, float[]> out = new LinkedHashMap<>();
        CollapseFixtures.asTrainer(w, params -> {
            try (NDManager scope = NDManager.newBaseManager(w.device());
                    Autograd.Recording r = Autograd.record()) {
                r.backward(loss.apply(scope));
            }
            out.putAll(WeightChecks.gradients(w));
        });
        return out;
    }

    @Test
    void trapUpdateStepsOnTheHarmfulLossAndTakesTheCollapseGradientAtTheSteppedWeights() {
        double alpha = 2.0; // a long step, so that evaluating at w instead of w' would be caught
        double lambda = 2.0;
        int batch = 4; // each stream holds exactly one batch, so every draw is the whole stream
        List<TrainingExample> align = CollapseFixtures.alignment(4);
        List<TrainingExample> harm = CollapseFixtures.harmful(4);
        List<TrainingExample> benign = CollapseFixtures.benign(4);
        Ctrap.CtrapConfig cfg = new Ctrap.CtrapConfig(10, 1e-3, batch, lambda, alpha, TOKEN, 1.0);
        try (LlamaWeights w = CollapseFixtures.model(4)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            Ctrap.TrapObjective objective = new Ctrap.TrapObjective(cfg, TOKEN,
                    new ExampleStream("alignment", align, 1, CONFIG), new ExampleStream("harmful", harm, 1, CONFIG),
                    new ExampleStream("collapse", benign, 1, CONFIG), new ExampleStream("benign", benign, 1, CONFIG));
            Map<String, float[]> objectiveGrad = new LinkedHashMap<>();
            StepLoss[] loss = new StepLoss[1];
            CollapseFixtures.asTrainer(w, params -> {
                loss[0] = objective.step(CollapseFixtures.context(w, params, 1));
                objectiveGrad.putAll(WeightChecks.gradients(w));
            });
            assertTrue(WeightChecks.bitIdentical(before, WeightChecks.snapshot(w)),
                    "the objective left the weights bit-identical");

            // Independently: ∇h at w from the harmful stream, w' = w − α ∇h/‖∇h‖ on the host.
            Map<String, float[]> gh = gradientOf(w, s -> ResponseBatch.of(harm).meanNll(w, s, 32768));
            double sq = 0;
            for (float[] x : gh.values()) {
                for (float v : x) {
                    sq += (double) v * v;
                }
            }
            double norm = Math.sqrt(sq);
            Map<String, float[]> stepped = new LinkedHashMap<>();
            before.forEach((name, w0) -> {
                float[] w1 = new float[w0.length];
                for (int i = 0; i < w0.length; i++) {
                    w1[i] = (float) (w0[i] - alpha * gh.get(name)[i] / norm);
                }
                stepped.put(name, w1);
            });
            try (LlamaWeights atStep = withValues(stepped)) {
                double collapseThere = independentCollapse(atStep, benign, TOKEN);
                double collapseHere = independentCollapse(w, benign, TOKEN);
                double reported = loss[0].parts().get("collapse_nll_stepped");
                System.out.printf("collapse at w' %.6f (objective %.6f), at w %.6f%n", collapseThere, reported,
                        collapseHere);
                assertEquals(collapseThere, reported, 1e-4 * collapseThere);
                assertTrue(Math.abs(collapseHere - collapseThere) > 20 * 1e-4 * collapseThere,
                        "the step must change the collapse loss for this test to mean anything");
                assertEquals(norm, loss[0].parts().get("harmful_grad_norm"), 1e-4 * norm);

                // The update's gradient: λ ∇l_collapse taken at w', plus ∇(alignment + retain) at w.
                Map<String, float[]> gc = gradientOf(atStep, s -> Ctrap.collapseLoss(atStep, ResponseBatch.of(benign),
                        TOKEN, s, 32768));
                Map<String, float[]> ga = gradientOf(w, s -> ResponseBatch.of(align).meanNll(w, s, 32768)
                        .add(ResponseBatch.of(benign).meanNll(w, s, 32768)));
                Map<String, float[]> expected = new LinkedHashMap<>();
                gc.forEach((name, c) -> {
                    float[] a = ga.get(name);
                    float[] e = new float[c.length];
                    for (int i = 0; i < c.length; i++) {
                        e[i] = (float) (lambda * c[i] + a[i]);
                    }
                    expected.put(name, e);
                });
                double diff = WeightChecks.maxAbsDiff(expected, objectiveGrad);
                double scale = WeightChecks.maxAbs(expected);
                System.out.printf("trap gradient: max |diff| %.3g of max |g| %.3g%n", diff, scale);
                assertTrue(diff < 1e-4 * scale, "gradient differs by " + diff + " (scale " + scale + ")");
                // Had the collapse gradient been taken at w instead of w', the check would fail.
                Map<String, float[]> gcHere = gradientOf(w, s -> Ctrap.collapseLoss(w, ResponseBatch.of(benign),
                        TOKEN, s, 32768));
                assertTrue(WeightChecks.maxAbsDiff(gc, gcHere) > 20 * 1e-4 * scale);
            }
            assertEquals(loss[0].parts().get("alignment_nll") + lambda * loss[0].parts().get("collapse_nll_stepped")
                    + loss[0].parts().get("retain_nll"), loss[0].loss(), 1e-9);
        }
    }

    @Test
    void collapseTokenDefaultsToTheModelsEos() {
        assertEquals(CollapseFixtures.EOS, Ctrap.collapseToken(Ctrap.CtrapConfig.defaults(), CONFIG));
        assertEquals(5, Ctrap.collapseToken(new Ctrap.CtrapConfig(null, null, null, null, null, 5, null), CONFIG));
        assertThrows(IllegalArgumentException.class, () -> Ctrap.collapseToken(Ctrap.CtrapConfig.defaults(),
                CONFIG.withSpecialTokens(null, List.of(), null)));
        assertThrows(IllegalArgumentException.class, () -> Ctrap.collapseToken(
                new Ctrap.CtrapConfig(null, null, null, null, null, 48, null), CONFIG));
    }

    @Test
    void runsThroughTheRegistryReproducibly() {
        CollapseFixtures.assertRunsReproducibly(Ctrap.NAME, Map.of("steps", 3, "batch", 2, "lr", 1e-3),
                List.of("alignment_nll", "collapse_nll_stepped", "harmful_nll", "harmful_grad_norm", "retain_nll",
                        "collapse_token", "final_loss"));
    }
}
