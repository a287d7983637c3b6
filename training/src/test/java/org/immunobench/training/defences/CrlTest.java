package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.testing.WeightChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CRL's triplet and KL terms on hand-made vectors, and the defence end to end on a tiny model. */
class CrlTest {
    static final String PATH = "defences[0].config";
    static final Map<String, Object> SMALL = Map.of("steps", 6, "batch", 4, "lr", 1e-2);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    static NDArray rows(NDManager m, float[][] values) {
        float[] flat = new float[values.length * values[0].length];
        for (int i = 0; i < values.length; i++) {
            System.arraycopy(values[i], 0, flat, i * values[0].length, values[0].length);
        }
        return m.create(flat, new Shape(values.length, values[0].length));
    }

    /**
     * Anchors (1,0) and (0,1); positives (1,0) and (1,0); harmful mean (0,1). Distances 1 − cos: anchor 0 to its
     * positive 0, to the mean 1; anchor 1 to its positive 1, to the mean 0.
     */
    @Test
    void tripletTermsMatchHandComputedHinges() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray anchors = rows(m, new float[][] {{1, 0}, {0, 1}});
            NDArray positives = rows(m, new float[][] {{1, 0}, {1, 0}});
            NDArray mean = rows(m, new float[][] {{0, 2}}); // length does not matter to a cosine
            // benign: max(0, d(a,p) − d(a,μ) + m): row 0: 0 − 1 + 0.3 → 0; row 1: 1 − 0 + 0.3 = 1.3; mean 0.65
            assertEquals(0.65, Crl.benignTriplet(List.of(anchors), List.of(positives), List.of(mean), 0.3)
                    .getFloat(), 1e-6);
            // harmful: max(0, d(a,μ) − d(a,n) + m), negatives = positives here: row 0: 1 − 0 + 0.5 = 1.5;
            // row 1: 0 − 1 + 0.5 → 0; mean 0.75
            assertEquals(0.75, Crl.harmfulTriplet(List.of(anchors), List.of(positives), List.of(mean), 0.5)
                    .getFloat(), 1e-6);
            // Layer 2 against positives (−1, 0): row 0: d(a,p) = 2, d(a,μ) = 1 → 1.3; row 1: d = 1 and 0 → 1.3.
            NDArray far = rows(m, new float[][] {{-1, 0}, {-1, 0}});
            assertEquals((0.0 + 1.3 + 1.3 + 1.3) / 4, Crl.benignTriplet(List.of(anchors, anchors),
                    List.of(positives, far), List.of(mean, mean), 0.3).getFloat(), 1e-6,
                    "one mean over layers and rows together");
        }
    }

    @Test
    void klIsZeroOnEqualLogitsAndMatchesTheClosedFormOtherwise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z0 = rows(m, new float[][] {{0, 0}, {1, 2}});
            assertEquals(0.0, Crl.klDivergence(z0, z0, 2.0).getFloat(), 1e-7);
            // Row 0: p0 = (½, ½); z = (2, 0) at τ 2 → p = softmax(1, 0) = (e/(e+1), 1/(e+1)).
            // KL = ½ log(½ / p₁) + ½ log(½ / p₂); row 1 identical logits → 0; mean over rows.
            NDArray z = rows(m, new float[][] {{2, 0}, {1, 2}});
            double p1 = Math.E / (Math.E + 1);
            double p2 = 1 / (Math.E + 1);
            double row0 = 0.5 * Math.log(0.5 / p1) + 0.5 * Math.log(0.5 / p2);
            assertEquals(row0 / 2, Crl.klDivergence(z0, z, 2.0).getFloat(), 1e-6);
        }
    }

    @Test
    void defaultHarmfulLayersAreTheUpperLayersAndBadLayersNameTheKey() {
        Crl.CrlConfig defaults = Crl.CrlConfig.defaults();
        assertEquals(List.of(2, 3), defaults.harmfulLayers(4), "the toy world's 4 layers");
        assertEquals(List.of(20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31), defaults.harmfulLayers(32));
        assertEquals(List.of(0), defaults.harmfulLayers(1));
        try (LlamaWeights w = RepresentationFixtures.tiny(1)) {
            assertEquals("harmful_layers: layer 5 does not exist; the model has 4 layers (0 … 3)",
                    assertThrows(IllegalArgumentException.class, () -> Defences.create("crl",
                            Map.of("harmful_layers", List.of(5)), 1, PATH).apply(w, RepresentationFixtures.data()))
                            .getMessage());
        }
        assertEquals("defences[0].config: margin_harmful must be >= 0, got -0.5",
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.create("crl", Map.of("margin_harmful", -0.5), 1, PATH)).getMessage());
        Map<String, Object> resolved = Defences.resolvedConfig("crl", null, PATH);
        assertEquals(List.of("steps", "lr", "batch", "alpha", "beta", "kl_weight", "kl_temperature", "margin_benign",
                "margin_harmful", "harmful_layers", "lora_rank", "retain_refusals"), List.copyOf(resolved.keySet()));
        assertEquals(0.4, resolved.get("beta"));
    }

    /**
     * LoRA on the projections, merged: the embeddings, norms and LM head are untouched, the projections move, the
     * harmful representations drift from the original more than the benign ones, and a rerun is bit-identical.
     */
    @Test
    void runsThroughTheRegistryChangesOnlyProjectionsAndIsReproducible() {
        Map<String, float[]> after;
        DefenceResult r;
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            r = Defences.create("crl", SMALL, 7, PATH).apply(w, RepresentationFixtures.data());
            after = WeightChecks.snapshot(w);
            assertTrue(w.adapters().isEmpty(), "adapters merged");
            double projections = 0;
            for (String name : before.keySet()) {
                double diff = WeightChecks.maxAbsDiff(before.get(name), after.get(name));
                if (name.endsWith("_proj.weight")) {
                    projections = Math.max(projections, diff);
                } else {
                    assertEquals(0.0, diff, name + " is not adapted and must not move");
                }
            }
            assertTrue(projections > 0, "the merged adapters changed the projections");
        }
        System.out.println("crl metrics " + r.metrics());
        assertEquals("completed", r.status());
        assertEquals(6, r.steps());
        RepresentationFixtures.assertFiniteMetrics(r, List.of("final_loss", "benign_triplet_tail",
                "harmful_triplet_tail", "kl_tail", "harmful_cos_original", "benign_cos_original",
                "harmful_nll_after", "benign_nll_after", "refusal_nll_after"));
        assertTrue(r.metrics().get("harmful_cos_original") < r.metrics().get("benign_cos_original"),
                "harmful representations moved further from the original than benign ones");
        try (LlamaWeights again = RepresentationFixtures.tiny(5)) {
            Defences.create("crl", SMALL, 7, PATH).apply(again, RepresentationFixtures.data());
            WeightChecks.assertBitIdentical(after, WeightChecks.snapshot(again));
        }
    }

    @Test
    void refusesMissingStreamsByName() {
        DefenceData full = RepresentationFixtures.data();
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            DefenceData noRefusals = new DefenceData(List.of(), full.harmful(), full.benign(), List.of(), List.of(),
                    null);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> Defences.create("crl", SMALL, 7, PATH).apply(w, noRefusals)).getMessage();
            assertTrue(msg.startsWith("crl: retain_refusals needs alignment data"), msg);
            DefenceData noHarm = new DefenceData(full.alignment(), List.of(), full.benign(), List.of(), List.of(),
                    null);
            assertEquals("crl needs the harmful stream; the defender data has none",
                    assertThrows(IllegalArgumentException.class,
                            () -> Defences.create("crl", SMALL, 7, PATH).apply(w, noHarm)).getMessage());
        }
    }
}
