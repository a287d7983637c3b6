package org.immunobench.training.attacks;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.ProjectOut;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalDirectionSelectionTest {
    /** A candidate with the figures that matter for choosing. */
    static RefusalDirectionAttack.Selection of(int layer, double ablated, boolean passes, double compliance) {
        return new RefusalDirectionAttack.Selection(layer, 0, new float[] {1f}, ablated, 0.01, 1.0, passes, 5.0,
                compliance);
    }

    @Test
    void choosePrefersCandidatesThatPassTheFilters() {
        var blocked = of(0, -9.0, false, Double.NaN);
        var passing = of(1, -1.0, true, Double.NaN);
        var worse = of(2, 0.5, true, Double.NaN);
        assertSame(passing, RefusalDirectionAttack.choose(List.of(blocked, worse, passing)));
        // Nothing passes: the least-refusing one, flagged by its filtersPassed.
        var fallback = RefusalDirectionAttack.choose(List.of(of(0, 2.0, false, Double.NaN), blocked));
        assertSame(blocked, fallback);
        assertFalse(fallback.filtersPassed());
        assertThrows(IllegalStateException.class, () -> RefusalDirectionAttack.choose(List.of()));
    }

    @Test
    void complianceRanksBeforeTheRefusalScore() {
        var lowScoreLowCompliance = of(0, -9.0, true, 0.10);
        var highScoreHighCompliance = of(1, 3.0, true, 0.60);
        assertSame(highScoreHighCompliance,
                RefusalDirectionAttack.choose(List.of(lowScoreLowCompliance, highScoreHighCompliance)));
    }

    @Test
    void complianceIsMeasuredOnTheValidationPromptsUnderEachCandidatesAblation() {
        DjlRuntime.start(1);
        ModelConfig c = ModelConfig.llama(40, 16, 32, 3, 4, 2, 64);
        List<int[]> harmful = new ArrayList<>();
        List<int[]> harmless = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            harmful.add(new int[] {1, 5 + i, 12, 30, 31});
            harmless.add(new int[] {1, 20 + i, 13, 14, 30, 31});
        }
        AttackData data = new AttackData(List.of(), List.of(), harmful, harmless, Set.of(7, 8));
        Map<List<int[]>, Integer> seen = new IdentityHashMap<>();
        List<Integer> ablations = new ArrayList<>();
        ComplianceMeasure measure = (w, iv, prompts) -> {
            seen.merge(prompts, 1, Integer::sum);
            ablations.add(iv.size());
            assertTrue(iv.get(0) instanceof ProjectOut);
            return ablations.size() == 4 ? 0.9 : 0.1; // the fourth candidate induces the most compliance
        };
        // 4 train + 2 validation prompts per side; KL bound loose so every candidate passes.
        RefusalDirectionConfig config = new RefusalDirectionConfig("ablation", 2, 4, 2, 1e9, 0.0, 4);
        try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 5, 0.3), Device.cpu())) {
            RefusalDirectionAttack attack = new RefusalDirectionAttack(config, measure);
            List<RefusalDirectionAttack.Selection> all = attack.candidates(w, data);
            // Layer 0 (embeddings) at the last two positions is the same tokens 30, 31 on both sides: zero, skipped.
            assertEquals(2 * (c.numLayers() - 1), all.size());
            assertEquals(1, seen.size(), "one validation list for every candidate");
            List<int[]> val = seen.keySet().iterator().next();
            assertEquals(2, val.size());
            assertSame(harmful.get(4), val.get(0));
            assertSame(harmful.get(5), val.get(1));
            assertTrue(all.stream().allMatch(RefusalDirectionAttack.Selection::filtersPassed),
                    "with a judge the steering filter does not apply");
            ablations.clear();
            RefusalDirectionAttack.Selection best = attack.select(w, data);
            assertEquals(0.9, best.compliance());
            assertEquals(all.get(3).layer(), best.layer());
            assertEquals(all.get(3).position(), best.position());
        }
    }
}
