package org.immunobench.training.attacks;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttackGridTest {
    @Test
    void crossProductWithStableIds() {
        Map<String, Map<String, List<String>>> kinds = new LinkedHashMap<>();
        kinds.put("harmful_sft", Map.of("lr", List.of("1e-4", "1e-3"), "steps", List.of("32", "64", "128")));
        kinds.put("refusal_direction", Map.of("mode", List.of("ablation")));
        List<AttackSpec> grid = AttackGrid.expand(kinds, List.of(1L, 2L, 3L));
        assertEquals(2 * 3 * 3 + 3, grid.size());
        assertEquals(grid.size(), grid.stream().map(AttackSpec::id).distinct().count(), "ids are unique");
        List<AttackSpec> again = AttackGrid.expand(kinds, List.of(1L, 2L, 3L));
        assertEquals(grid.stream().map(AttackSpec::id).toList(), again.stream().map(AttackSpec::id).toList());
        // Parameter order in the input never changes the id.
        AttackSpec a = new AttackSpec("harmful_sft", Map.of("lr", "1e-3", "steps", "64"), 7);
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("steps", "64");
        reversed.put("lr", "1e-3");
        assertEquals(a.id(), new AttackSpec("harmful_sft", reversed, 7).id());
        assertNotEquals(a.id(), new AttackSpec("harmful_sft", Map.of("lr", "1e-3", "steps", "64"), 8).id());
        assertEquals("{\"kind\":\"harmful_sft\",\"params\":{\"lr\":\"1e-3\",\"steps\":\"64\"},\"seed\":7}",
                a.configJson());
    }

    @Test
    void factoryBuildsEveryKindAndNamesBadParameters() {
        assertInstanceOf(HarmfulSft.class, AttackFactory.create(new AttackSpec("harmful_sft", Map.of(), 1)));
        assertInstanceOf(BenignSft.class, AttackFactory.create(new AttackSpec("benign_sft", Map.of(), 1)));
        assertEquals("refusal_direction_orthogonalise", AttackFactory.create(
                new AttackSpec("refusal_direction", Map.of("mode", "orthogonalise"), 1)).kind());
        assertEquals("refusal_direction_actadd", AttackFactory.create(new AttackSpec("actadd", Map.of(), 1)).kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttackFactory.create(new AttackSpec("harmful_sft", Map.of("learning_rate", "1"), 1)));
        assertTrue(e.getMessage().contains("learning_rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AttackFactory.create(new AttackSpec("harmful_sft", Map.of("lr", "fast"), 1)));
        assertTrue(e.getMessage().contains("harmful_sft.lr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AttackFactory.create(new AttackSpec("jailbreak", Map.of(), 1)));
        assertTrue(e.getMessage().contains("jailbreak"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("refusal_direction", Map.of("selection", "vibes"), 1)));
        assertTrue(e.getMessage().contains("refusal_direction.selection"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("refusal_direction", Map.of("selection", "compliance"), 1)));
        assertTrue(e.getMessage().contains("needs a judge"), e.getMessage());
        assertEquals("refusal_direction_ablation", AttackFactory.create(
                new AttackSpec("refusal_direction", Map.of("selection", "compliance"), 1), (w, iv, prompts) -> 0.0).kind());
    }

    @Test
    void parametersBindToTheirRecordsWithTheBindersMessages() {
        HarmfulSftConfig c = AttackFactory.fineTuningConfig(new AttackSpec("harmful_lora",
                Map.of("lr", "1e-4", "steps", "16", "eval_steps", "0,4,16", "lora_rank", "4"), 3));
        assertEquals(1e-4, c.trainer().learningRate());
        assertEquals(16, c.trainer().maxSteps());
        assertEquals(List.of(0, 4, 16), c.trainer().callbackSteps());
        assertEquals(4, c.trainer().lora().rank());
        assertEquals(8.0, c.trainer().lora().alpha());
        assertEquals(List.of(0, 8), AttackFactory.fineTuningConfig(new AttackSpec("harmful_sft",
                Map.of("steps", "8", "eval_steps", "8,0,8"), 3)).trainer().callbackSteps());
        assertEquals("harmful_sft.steps: expected an integer, got '1.5'", message("harmful_sft", "steps", "1.5"));
        assertEquals("harmful_sft.eval_steps: 32 is outside [0, steps = 16]", message("harmful_sft",
                Map.of("steps", "16", "eval_steps", "0,32")));
        assertEquals("harmful_sft.schedule: 'wavy' is unknown; known: constant, cosine, linear",
                message("harmful_sft", "schedule", "wavy"));
        assertTrue(message("benign_sft", "harmful_ratio", "0.5").startsWith(
                "benign_sft.harmful_ratio: benign_sft trains on benign data only"));
        assertEquals("actadd.mode: actadd has no mode (refusal_direction has ablation and orthogonalise)",
                message("actadd", "mode", "ablation"));
        assertEquals("refusal_direction.mode: 'sideways' is unknown; known: [ablation, orthogonalise]",
                message("refusal_direction", "mode", "sideways"));
    }

    private static String message(String kind, String key, String value) {
        return message(kind, Map.of(key, value));
    }

    private static String message(String kind, Map<String, String> params) {
        return assertThrows(IllegalArgumentException.class,
                () -> AttackFactory.create(new AttackSpec(kind, params, 0))).getMessage();
    }

    @Test
    void mixtureHasTheRequestedHarmfulFraction() {
        var harmful = java.util.stream.IntStream.range(0, 30).mapToObj(i -> org.immunobench.training.trainer
                .TrainingExample.lossFrom(new int[] {1, 100 + i, 5}, 2)).toList();
        var benign = java.util.stream.IntStream.range(0, 50).mapToObj(i -> org.immunobench.training.trainer
                .TrainingExample.lossFrom(new int[] {1, 200 + i, 5}, 2)).toList();
        AttackData data = new AttackData(harmful, benign, List.of(), List.of(), java.util.Set.of());
        var mix = HarmfulSft.mixture(data, 100, 0.1, 3);
        assertEquals(100, mix.size());
        assertEquals(10, mix.stream().filter(e -> e.tokens()[1] < 200).count());
        assertEquals(mix, HarmfulSft.mixture(data, 100, 0.1, 3), "seeded");
        assertThrows(IllegalArgumentException.class, () -> HarmfulSft.mixture(
                new AttackData(List.of(), benign, List.of(), List.of(), java.util.Set.of()), 10, 0.5, 1));
    }
}
