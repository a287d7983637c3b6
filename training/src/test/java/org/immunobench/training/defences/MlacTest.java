package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepLoss;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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

/** MLAC on a tiny random Llama: the first-order outer gradient, the untouched outer weights, the registry entry. */
class MlacTest {
    static final int CHUNK = 1 << 15;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /**
     * The gradient one step leaves equals ∇L_good(θ) − β ∇L_bad(θ_K), the two computed separately (the attack
     * walked by hand to θ_K). One-example streams make the step's batches known. Tolerance: 1e-5 of the largest
     * entry (the step scales the bad loss by −β before backward, the reference scales its gradient afterwards).
     */
    @Test
    void outerGradientIsTheGoodGradientMinusTheAdaptedBadGradient() {
        double beta = 1.5;
        double eta = 0.5;
        Mlac mlac = new Mlac(new Mlac.MlacConfig(1, null, 2, 3, eta, beta), 4);
        DefenceData single = new DefenceData(List.of(), MetaFixtures.harmful(1), MetaFixtures.benign(1), List.of(),
                List.of(), null);
        try (LlamaWeights w = tiny(13)) {
            List<NDArray> params = trainable(w);
            Map<String, float[]> before = snapshot(w);
            StepLoss loss = mlac.objective(w, single).step(context(w, params, 2));
            assertBitIdentical(before, snapshot(w));
            List<float[]> got = gradients(params);
            zeroGradients(params);

            PaddedBatch good = batch(MetaFixtures.benign(1), 2);
            PaddedBatch bad = batch(MetaFixtures.harmful(1), 2);
            double goodLoss = InnerLoop.backward(w, InnerLoop.meanNll(good, CHUNK), 1.0);
            List<float[]> goodGradient = gradients(params);
            zeroGradients(params);
            List<float[]> badGradient;
            double badAdapted;
            try (InnerLoop walk = InnerLoop.begin(w, params)) {
                for (int k = 0; k < 3; k++) {
                    walk.descend(InnerLoop.meanNll(bad, CHUNK), eta);
                }
                badAdapted = InnerLoop.backward(w, InnerLoop.meanNll(bad, CHUNK), 1.0);
                badGradient = gradients(params);
                zeroGradients(params);
            }
            double err = 0;
            double scale = 0;
            double goodOnly = 0;
            for (int i = 0; i < got.size(); i++) {
                for (int j = 0; j < got.get(i).length; j++) {
                    double expected = goodGradient.get(i)[j] - beta * badGradient.get(i)[j];
                    err = Math.max(err, Math.abs(got.get(i)[j] - expected));
                    scale = Math.max(scale, Math.abs(expected));
                    goodOnly = Math.max(goodOnly, Math.abs(got.get(i)[j] - goodGradient.get(i)[j]));
                }
            }
            System.out.printf("mlac: good %.4f, bad after %d steps %.4f (at θ %.4f); max |g − (∇good − β∇bad(θ_K))|"
                    + " %.2e of %.2e (tolerance 1e-5 relative)%n", goodLoss, 3, badAdapted,
                    loss.parts().get("adversary_nll_start"), err, scale);
            assertEquals(goodLoss - beta * badAdapted, loss.loss(), 1e-5);
            assertTrue(badAdapted < loss.parts().get("adversary_nll_start") - 0.1, "the attack lowered the bad loss");
            assertTrue(goodOnly > 1e-2 * scale, "control: the bad term contributes");
            assertTrue(err <= 1e-5 * scale);
            assertTrue(maxAbs(badGradient) > 0);
        }
    }

    static DefenceResult run(long seed, Map<String, float[]>[] out) {
        try (LlamaWeights w = tiny(14)) {
            Map<String, float[]> before = snapshot(w);
            DefenceResult r = Defences.create("mlac", Map.of("steps", 3, "batch", 2, "inner_steps", 2, "lr", 1e-3),
                    seed, "defences[0].config").apply(w, MetaFixtures.data(6));
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
        DefenceResult a = run(5, first);
        DefenceResult b = run(5, second);
        System.out.println("mlac: " + a);
        assertEquals("completed", a.status());
        assertEquals(3, a.steps());
        assertTrue(maxAbsDiff(first[0], first[1]) > 0, "the defence changed the weights");
        for (String key : List.of("final_loss", "good_first", "good_last", "bad_adapted_first", "bad_adapted_last",
                "adversary_nll_start_last", "adversary_nll_end_last", "inner_steps", "inner_lr", "bad_weight")) {
            assertNotNull(a.metrics().get(key), key);
            assertTrue(Double.isFinite(a.metrics().get(key)), key);
        }
        assertBitIdentical(first[1], second[1]);
        assertEquals(withoutTiming(a.metrics()), withoutTiming(b.metrics()), "same seed, same figures");
    }

    static Map<String, Double> withoutTiming(Map<String, Double> m) {
        Map<String, Double> out = new java.util.TreeMap<>(m);
        out.remove("tokens_per_second");
        return out;
    }

    @Test
    void configDefaultsAndErrorsNameTheirKeys() {
        Mlac mlac = (Mlac) Defences.create("mlac", null, 1, "defences[0].config");
        assertEquals(Mlac.MlacConfig.defaults(), mlac.config());
        assertEquals(List.of("steps", "lr", "batch", "inner_steps", "inner_lr", "bad_weight"),
                List.copyOf(Defences.resolvedConfig("mlac", Map.of(), "defences[0].config").keySet()));
        assertEquals("defences[0].config: inner_lr must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.create("mlac", Map.of("inner_lr", 0.0), 1, "defences[0].config")).getMessage());
        assertEquals("defences[0].config: bad_weight must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.create("mlac", Map.of("bad_weight", -1.0), 1, "defences[0].config"))
                        .getMessage());
        try (LlamaWeights w = tiny(1)) {
            DefenceData noHarmful = new DefenceData(List.of(), List.of(), MetaFixtures.benign(2), List.of(), List.of(),
                    null);
            assertEquals("mlac needs harmful examples, and the defence data has none", assertThrows(
                    IllegalArgumentException.class, () -> mlac.apply(w, noHarmful)).getMessage());
        }
    }
}
