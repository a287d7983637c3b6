package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepNoiseTest {
    static final String PATH = "defences[0].config";
    static final Map<String, Object> SMALL = Map.of("steps", 6, "batch", 4, "lr", 1e-3);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void logitLensAtTheLastLayerIsTheOrdinaryCrossEntropy() {
        try (LlamaWeights w = RepresentationFixtures.tiny(3); NDManager scope = NDManager.newBaseManager()) {
            PaddedBatch batch = PaddedBatch.of(RepresentationFixtures.examples(5, 1, 9));
            List<NDArray> stream = MaskedActivations.stream(w, batch, scope);
            List<NDArray> lens = RepNoise.logitLensNll(w, stream, batch, TrainerConfig.DEFAULT_VOCAB_CHUNK, scope);
            assertEquals(RepresentationFixtures.CONFIG.numLayers() + 1, lens.size(), "embeddings and every layer");
            double ordinary = SupervisedObjective.nllSum(w, batch, TrainerConfig.DEFAULT_VOCAB_CHUNK, scope)
                    .getFloat();
            double last = lens.get(lens.size() - 1).sum().getFloat();
            System.out.printf("ordinary NLL sum %.6f, logit lens at the last layer %.6f, at the embeddings %.6f%n",
                    ordinary, last, lens.get(0).sum().getFloat());
            assertEquals(ordinary, last, 1e-5 * Math.abs(ordinary));
            assertNotEquals(ordinary, lens.get(0).sum().getFloat(), 1e-3, "earlier layers read differently");
        }
    }

    @Test
    void runsThroughTheRegistryChangesTheWeightsAndIsReproducible() {
        Map<String, float[]> first;
        DefenceResult r;
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            r = Defences.create("repnoise", SMALL, 7, PATH).apply(w, RepresentationFixtures.data());
            first = WeightChecks.snapshot(w);
            double moved = 0;
            for (String name : before.keySet()) {
                moved = Math.max(moved, WeightChecks.maxAbsDiff(before.get(name), first.get(name)));
            }
            assertTrue(moved > 0, "weights unchanged");
            assertTrue(w.adapters().isEmpty());
        }
        System.out.println("repnoise metrics " + r.metrics());
        assertEquals("completed", r.status());
        assertEquals(6, r.steps());
        RepresentationFixtures.assertFiniteMetrics(r, List.of("final_loss", "retain_ce", "harmful_lens_ce",
                "noise_mmd", "harmful_nll_before", "harmful_nll_after", "benign_nll_before", "benign_nll_after",
                "refusal_nll_before", "refusal_nll_after"));
        assertTrue(r.metrics().get("harmful_nll_after") > r.metrics().get("harmful_nll_before"),
                "the harmful answers became less likely");
        try (LlamaWeights again = RepresentationFixtures.tiny(5)) {
            Defences.create("repnoise", SMALL, 7, PATH).apply(again, RepresentationFixtures.data());
            WeightChecks.assertBitIdentical(first, WeightChecks.snapshot(again));
        }
    }

    @Test
    void configDefaultsAndErrorsNameTheirKey() {
        assertEquals(Map.of("steps", 100, "lr", 1e-4, "batch", 8, "alpha", 1.0, "beta", 0.001, "retain_refusals", true),
                Defences.resolvedConfig("repnoise", null, PATH));
        assertEquals("defences[0].config: beta must be >= 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> Defences.create("repnoise", Map.of("beta", -1.0), 1, PATH)).getMessage());
        assertEquals("defences[0].config: steps must be > 0, got 0", assertThrows(IllegalArgumentException.class,
                () -> Defences.create("repnoise", Map.of("steps", 0), 1, PATH)).getMessage());
    }

    @Test
    void refusesMissingStreamsByName() {
        DefenceData full = RepresentationFixtures.data();
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            DefenceData noHarm = new DefenceData(full.alignment(), List.of(), full.benign(), List.of(), List.of(),
                    null);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> Defences.create("repnoise", SMALL, 7, PATH).apply(w, noHarm)).getMessage();
            assertEquals("repnoise needs harmful demonstrations; the defender data has none", msg);
            DefenceData noRefusals = new DefenceData(List.of(), full.harmful(), full.benign(), List.of(), List.of(),
                    null);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> Defences.create("repnoise", SMALL, 7, PATH).apply(w, noRefusals)).getMessage();
            assertTrue(msg.startsWith("repnoise: retain_refusals needs alignment data"), msg);
            WeightChecks.assertBitIdentical(before, WeightChecks.snapshot(w)); // untouched
            Map<String, Object> benignOnly = new java.util.HashMap<>(SMALL);
            benignOnly.put("retain_refusals", false);
            assertEquals("completed", Defences.create("repnoise", benignOnly, 7, PATH).apply(w, noRefusals).status());
        }
    }
}
