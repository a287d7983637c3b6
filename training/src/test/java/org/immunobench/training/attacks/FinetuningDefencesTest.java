package org.immunobench.training.attacks;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry binds configs like the open-weight defences' and names the key of every error. */
class FinetuningDefencesTest {
    private static final String AT = "attacks[2].finetuning_defence.config";
    private static final AttackSpec SFT = new AttackSpec("harmful_sft", Map.of("steps", "8"), 0);

    private static String error(String name, Map<String, Object> config, AttackSpec spec) {
        return assertThrows(IllegalArgumentException.class,
                () -> FinetuningDefences.create(name, config, spec, ProviderData.NONE, AT)).getMessage();
    }

    @Test
    void namesAndResolvedDefaults() {
        assertEquals(List.of("lisa", "security_vectors"), FinetuningDefences.names());
        assertEquals(Map.of("k_user", 14, "k_align", 2, "rho", 1.0),
                FinetuningDefences.resolvedConfig("lisa", null, AT));
        Map<String, Object> sv = FinetuningDefences.resolvedConfig("security_vectors", Map.of("lora_rank", 4), AT);
        assertEquals(4, sv.get("lora_rank"));
        assertEquals(64, sv.get("vector_steps"));
        assertEquals(100, sv.get("vector_samples"));
        assertInstanceOf(Lisa.class, FinetuningDefences.create("lisa", Map.of(), SFT, ProviderData.NONE, AT));
        assertInstanceOf(SecurityVectors.class, FinetuningDefences.create("security_vectors", null,
                new AttackSpec("benign_sft", Map.of(), 0), ProviderData.NONE, AT));
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("attacks[2].finetuning_defence.name 'vaccine' is unknown; known: [lisa, security_vectors]",
                error("vaccine", Map.of(), SFT));
        assertEquals("attacks[2].finetuning_defence.name is missing; known: [lisa, security_vectors]",
                error(null, Map.of(), SFT));
        String unknown = error("lisa", Map.of("rh0", 1), SFT);
        assertTrue(unknown.startsWith("attacks[2].finetuning_defence.config.rh0: unknown key; allowed in"
                + " attacks[2].finetuning_defence.config: [k_align, k_user, rho]"), unknown);
        assertEquals("attacks[2].finetuning_defence.config.rho: must be a finite number >= 0, got -1.0",
                error("lisa", Map.of("rho", -1.0), SFT));
        String kUser = error("lisa", Map.of("k_user", 0), SFT);
        assertTrue(kUser.startsWith("attacks[2].finetuning_defence.config.k_user"), kUser);
        String targets = error("security_vectors", Map.of("lora_targets", List.of("x_proj")), SFT);
        assertTrue(targets.startsWith("attacks[2].finetuning_defence.config.lora_targets: unknown projection"
                + " 'x_proj'"), targets);
        String badType = error("security_vectors", Map.of("vector_steps", "many"), SFT);
        assertTrue(badType.startsWith("attacks[2].finetuning_defence.config.vector_steps: expected"), badType);
        assertEquals("attacks[2].finetuning_defence: lisa runs inside a fine-tuning attack [harmful_sft, harmful_lora,"
                + " benign_sft], not refusal_direction", error("lisa", Map.of(),
                new AttackSpec("refusal_direction", Map.of(), 0)));
        String attackParam = error("lisa", Map.of(), new AttackSpec("harmful_sft", Map.of("lrr", "1"), 0));
        assertTrue(attackParam.startsWith("harmful_sft.lrr: unknown key; allowed in harmful_sft: [batch,"), attackParam);
    }
}
