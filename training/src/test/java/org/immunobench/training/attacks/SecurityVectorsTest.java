package org.immunobench.training.attacks;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.immunobench.training.attacks.TinyFinetuningWorld.Kind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecurityVectorsTest {
    private static final String AT = "attacks[0].finetuning_defence.config";
    private static final SecurityVectors.SecurityVectorsConfig SMALL = new SecurityVectors.SecurityVectorsConfig(
            40, 1e-2, null, 4, 8.0, List.of("q_proj", "v_proj", "down_proj"));

    @BeforeAll
    static void engine() {
        TinyFinetuningWorld.engine();
    }

    /**
     * Stage 1 leaves the backbone bit-identical and no adapter attached; the vector predicts harmful answers better.
     * One stage-2 update has exactly the gradient of plain fine-tuning at θ + ΔW, and afterwards the weights are θ
     * again bit for bit and the vector is unchanged: it is active in training and frozen.
     */
    @Test
    void stageTwoTrainsAtThetaPlusTheFrozenVectorAndLeavesBothAsTheyWere() {
        List<TrainingExample> harmful = TinyFinetuningWorld.examples(16, Kind.HARMFUL, 21);
        TrainerConfig cfg = TrainerConfig.defaults(1e-3, 4, 8);
        try (LlamaWeights w = TinyFinetuningWorld.weights(8)) {
            Map<String, float[]> released = WeightChecks.snapshot(w);
            try (SecurityVectors.Vector vector = SecurityVectors.Vector.train(w, TinyFinetuningWorld.provider()
                    .harmful(), SMALL, 8, 5)) {
                assertTrue(WeightChecks.bitIdentical(released, WeightChecks.snapshot(w)),
                        "stage 1 trains the adapter only, and removes it without a trace");
                assertTrue(w.adapters().isEmpty());
                assertEquals(3 * 2, vector.deltas().size(), "q, v and down of both layers");
                Map<String, float[]> vectorBefore = vector.snapshot();

                List<NDArray> params = WeightChecks.trainable(w);
                StepLoss active = new SecurityVectors.VectorActive(new SupervisedObjective(harmful, 3), vector)
                        .step(new StepContext(w, params, 1, cfg));
                List<float[]> gActive = WeightChecks.gradients(params);
                assertTrue(WeightChecks.bitIdentical(released, WeightChecks.snapshot(w)),
                        "the vector is taken out again after the step");
                assertTrue(WeightChecks.bitIdentical(vectorBefore, vector.snapshot()), "the vector is frozen");

                WeightChecks.zeroGradients(params);
                StepLoss plain = new SupervisedObjective(harmful, 3).step(new StepContext(w, params, 1, cfg));
                assertTrue(active.loss() < plain.loss(), "the vector already predicts harmful answers: "
                        + active.loss() + " vs " + plain.loss() + " without it");

                // θ + ΔW by hand, then plain fine-tuning's gradient there.
                WeightChecks.zeroGradients(params);
                vector.deltas().forEach((name, delta) -> w.get(name).addi(delta));
                StepLoss merged = new SupervisedObjective(harmful, 3).step(new StepContext(w, params, 1, cfg));
                List<float[]> gMerged = WeightChecks.gradients(params);
                assertEquals(merged.loss(), active.loss());
                for (int i = 0; i < gActive.size(); i++) {
                    assertTrue(WeightChecks.bitIdentical(gActive.get(i), gMerged.get(i)), "parameter " + i);
                }
            }
        }
    }

    /**
     * The whole defence as the attack stage runs it: every probe sees the weights without the vector (step 0 is the
     * released model bit for bit, no adapter is ever attached), the fine-tuning changes the weights, and the same
     * seed repeats bit for bit.
     */
    @Test
    void evaluationRunsWithoutTheVectorAndTheRunIsDeterministic() {
        AttackSpec spec = new AttackSpec("harmful_sft", Map.of("steps", "4", "batch", "4", "samples", "16",
                "lr", "1e-2", "eval_steps", "0,2,4"), 13);
        Map<String, Object> config = Map.of("vector_steps", 20, "vector_lr", 1e-2, "lora_rank", 4);
        Map<String, float[]> first = null;
        for (int run = 0; run < 2; run++) {
            try (LlamaWeights w = TinyFinetuningWorld.weights(9)) {
                Map<String, float[]> released = WeightChecks.snapshot(w);
                Attack attack = FinetuningDefences.create("security_vectors", config, spec,
                        TinyFinetuningWorld.provider(), AT);
                List<Integer> probed = new ArrayList<>();
                AttackResult r = attack.run(w, TinyFinetuningWorld.userData(), (step, weights, interventions) -> {
                    probed.add(step);
                    assertTrue(weights.adapters().isEmpty(), "no adapter at probe step " + step);
                    if (step == 0) {
                        assertTrue(WeightChecks.bitIdentical(released, WeightChecks.snapshot(weights)),
                                "step 0 is the released model, though the vector is trained by then");
                    }
                });
                assertEquals(List.of(0, 2, 4), probed);
                assertEquals("completed", r.status());
                assertEquals(20.0, r.details().get("security_vector_steps"));
                assertTrue(Double.isFinite(r.details().get("security_vector_final_loss")));
                assertTrue(w.adapters().isEmpty());
                Map<String, float[]> after = WeightChecks.snapshot(w);
                assertFalse(WeightChecks.bitIdentical(released, after));
                if (first == null) {
                    first = after;
                } else {
                    assertTrue(WeightChecks.bitIdentical(first, after), "same seed, same weights");
                }
            }
        }
    }

    /** A LoRA attack trains its own adapters over θ ⊕ φ* and merges them; the vector never ends in the weights. */
    @Test
    void aLoraAttackRunsOnTopOfTheVector() {
        AttackSpec spec = new AttackSpec("harmful_lora", Map.of("steps", "3", "batch", "4", "samples", "8",
                "lr", "1e-2", "lora_rank", "2"), 2);
        try (LlamaWeights w = TinyFinetuningWorld.weights(10)) {
            Map<String, float[]> released = WeightChecks.snapshot(w);
            AttackResult r = FinetuningDefences.create("security_vectors", Map.of("vector_steps", 5), spec,
                    TinyFinetuningWorld.provider(), AT).run(w, TinyFinetuningWorld.userData(), AttackProbe.NONE);
            assertEquals("completed", r.status());
            assertTrue(w.adapters().isEmpty(), "the user's adapters were merged");
            assertFalse(WeightChecks.bitIdentical(released, WeightChecks.snapshot(w)));
        }
    }
}
