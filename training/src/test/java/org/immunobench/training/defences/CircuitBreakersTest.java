package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakersTest {
    static final String PATH = "defences[0].config";
    static final Map<String, Object> SMALL = Map.of("steps", 6, "batch", 4, "lora_rank", 2);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void scheduleMovesFromReroutingAloneToAnEvenSplit() {
        int total = 100;
        double alpha = 10;
        CircuitBreakers.Coefficients start = CircuitBreakers.Coefficients.at(0, total, alpha);
        CircuitBreakers.Coefficients middle = CircuitBreakers.Coefficients.at(total / 2, total, alpha);
        CircuitBreakers.Coefficients end = CircuitBreakers.Coefficients.at(total, total, alpha);
        assertEquals(10.0, start.rerouting(), 1e-12);
        assertEquals(0.0, start.retain(), 1e-12);
        assertEquals(7.5, middle.rerouting(), 1e-12);
        assertEquals(2.5, middle.retain(), 1e-12);
        assertEquals(5.0, end.rerouting(), 1e-12);
        assertEquals(5.0, end.retain(), 1e-12);
    }

    @Test
    void defaultTargetsAreTheMiddleLayersAndOutOfRangeLayersNameTheKey() {
        CircuitBreakers.CircuitBreakersConfig defaults = CircuitBreakers.CircuitBreakersConfig.defaults();
        assertEquals(List.of(1, 2), defaults.targetLayers(4), "the toy world's 4-layer model");
        assertEquals(List.of(10, 21), defaults.targetLayers(32));
        assertEquals(List.of(0, 1), defaults.targetLayers(2));
        CircuitBreakers.CircuitBreakersConfig three = (CircuitBreakers.CircuitBreakersConfig) ((CircuitBreakers)
                Defences.create("circuit_breakers", Map.of("target_layers", List.of(3, 1)), 1, PATH)).config();
        assertEquals(List.of(1, 3), three.targetLayers(4));
        String msg = assertThrows(IllegalArgumentException.class, () -> three.targetLayers(3)).getMessage();
        assertEquals("target_layers: layer 3 does not exist; the model has 3 layers (0 … 2)", msg);
        assertEquals("defences[0].config: target_layers entries must be layer indices >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> Defences.create("circuit_breakers",
                        Map.of("target_layers", List.of(-1)), 1, PATH)).getMessage());
        Map<String, Object> resolved = Defences.resolvedConfig("circuit_breakers", null, PATH);
        assertEquals(List.of("steps", "lr", "batch", "alpha", "target_layers", "lora_rank", "retain_refusals"),
                List.copyOf(resolved.keySet()));
        assertEquals(10.0, resolved.get("alpha"));
    }

    @Test
    void runsThroughTheRegistryLeavesNoAdaptersAndIsReproducible() {
        Map<String, float[]> first;
        DefenceResult r;
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            r = Defences.create("circuit_breakers", SMALL, 7, PATH).apply(w, RepresentationFixtures.data());
            assertTrue(w.adapters().isEmpty(), "adapters left attached: " + w.adapters().keySet());
            assertNull(w.loraConfig());
            first = WeightChecks.snapshot(w);
            String q1 = LlamaNames.projectionWeight(1, "q_proj");
            assertTrue(WeightChecks.maxAbsDiff(before.get(q1), first.get(q1)) > 0,
                    "a target layer's projection moved");
            // Adapters above the last target layer (2) are never trained: layer 3 comes out bit-identical.
            for (String proj : CircuitBreakers.LORA_TARGETS) {
                String name = LlamaNames.projectionWeight(3, proj);
                WeightChecks.assertBitIdentical(before.get(name), first.get(name), name);
            }
            // LoRA never touches norms or embeddings.
            WeightChecks.assertBitIdentical(before.get(LlamaNames.EMBED_TOKENS), first.get(LlamaNames.EMBED_TOKENS),
                    "embeddings");
        }
        System.out.println("circuit_breakers metrics " + r.metrics());
        assertEquals("completed", r.status());
        assertEquals(6, r.steps());
        RepresentationFixtures.assertFiniteMetrics(r, List.of("final_loss", "rerouting_loss", "retain_distance",
                "harmful_cos_layer1", "harmful_cos_layer2", "harmful_cos_mean", "benign_cos_mean",
                "harmful_nll_before", "harmful_nll_after", "benign_nll_before", "benign_nll_after",
                "refusal_nll_before", "refusal_nll_after"));
        assertTrue(r.metrics().get("harmful_cos_mean") < 1.0, "harmful representations moved");
        try (LlamaWeights again = RepresentationFixtures.tiny(5)) {
            Defences.create("circuit_breakers", SMALL, 7, PATH).apply(again, RepresentationFixtures.data());
            WeightChecks.assertBitIdentical(first, WeightChecks.snapshot(again));
        }
    }
}
