package org.immunobench.training.attacks;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.immunobench.training.attacks.Lisa.State.ALIGNMENT;
import static org.immunobench.training.attacks.Lisa.State.USER;
import static org.immunobench.training.attacks.TinyFinetuningWorld.Kind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LisaTest {
    private static final String AT = "attacks[0].finetuning_defence.config";

    @BeforeAll
    static void engine() {
        TinyFinetuningWorld.engine();
    }

    private static Lisa.BiState biState(int kAlign, int kUser, double rho) {
        return new Lisa.BiState(TinyFinetuningWorld.examples(16, Kind.HARMFUL, 1),
                TinyFinetuningWorld.examples(16, Kind.REFUSAL, 2), new Lisa.LisaConfig(kUser, kAlign, rho), 7);
    }

    @Test
    void statesAlternateOnTheConfiguredScheduleStartingWithAlignment() {
        List<Lisa.State> two3 = new ArrayList<>();
        for (int step = 1; step <= 10; step++) {
            two3.add(Lisa.BiState.stateAt(step, 2, 3));
        }
        assertEquals(List.of(ALIGNMENT, ALIGNMENT, USER, USER, USER, ALIGNMENT, ALIGNMENT, USER, USER, USER), two3);
        for (int step = 1; step <= 5; step++) {
            assertEquals(USER, Lisa.BiState.stateAt(step, 0, 4), "k_align 0: user data only");
        }
        assertEquals(ALIGNMENT, Lisa.BiState.stateAt(17, 2, 14), "the default cycle of 16 restarts at update 17");
        assertEquals(USER, Lisa.BiState.stateAt(16, 2, 14));
    }

    /**
     * Ten real updates with K_align 2, K_user 3: the objective follows the schedule, and its proximal term is exactly
     * zero at the first update of every state (θ_switch was just taken from θ) and positive afterwards (θ moved).
     */
    @Test
    void theTrainerRunFollowsTheScheduleAndReanchorsAtEverySwitch() {
        try (LlamaWeights w = TinyFinetuningWorld.weights(3); Lisa.BiState objective = biState(2, 3, 1.0)) {
            new Trainer().run(w, objective, TrainerConfig.defaults(1e-2, 10, 4).withLogEvery(0), null);
            assertEquals(List.of(ALIGNMENT, ALIGNMENT, USER, USER, USER, ALIGNMENT, ALIGNMENT, USER, USER, USER),
                    objective.states());
            List<Double> proximal = objective.proximal();
            for (int step : List.of(1, 3, 6, 8)) {
                assertEquals(0.0, proximal.get(step - 1), "first update of a state, step " + step);
            }
            for (int step : List.of(2, 4, 5, 7, 9, 10)) {
                assertTrue(proximal.get(step - 1) > 0, "step " + step + ": " + proximal);
            }
        }
    }

    /**
     * The same batch through two objectives that differ only in ρ: after θ is moved away from θ_switch by a known
     * amount d, the gradients differ by exactly ρ · d (up to float rounding of the sum), and the reported proximal
     * value is ρ/2 · ‖d‖².
     */
    @Test
    void theProximalGradientIsRhoTimesTheDistanceToTheSwitchWeights() {
        double rho = 0.5;
        TrainerConfig cfg = TrainerConfig.defaults(1e-3, 10, 4);
        try (LlamaWeights w = TinyFinetuningWorld.weights(4); Lisa.BiState withRho = biState(2, 3, rho);
                Lisa.BiState without = biState(2, 3, 0.0)) {
            List<NDArray> params = WeightChecks.trainable(w);
            // Update 1 anchors θ_switch = θ_0 in both.
            withRho.step(new StepContext(w, params, 1, cfg));
            WeightChecks.zeroGradients(params);
            without.step(new StepContext(w, params, 1, cfg));
            WeightChecks.zeroGradients(params);

            Random random = new Random(9);
            List<float[]> d = new ArrayList<>();
            for (NDArray p : params) {
                float[] step = new float[(int) p.size()];
                for (int i = 0; i < step.length; i++) {
                    step[i] = (float) (random.nextGaussian() * 0.01);
                }
                try (NDArray s = p.getManager().create(step, p.getShape())) {
                    p.addi(s);
                }
                d.add(step);
            }
            List<float[]> theta = TinyFinetuningWorld.values(params);
            List<float[]> thetaSwitch = new ArrayList<>();
            for (int t = 0; t < theta.size(); t++) {
                float[] a = new float[theta.get(t).length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = theta.get(t)[i] - d.get(t)[i];
                }
                thetaSwitch.add(a);
            }

            var lossWith = withRho.step(new StepContext(w, params, 2, cfg));
            List<float[]> gWith = WeightChecks.gradients(params);
            WeightChecks.zeroGradients(params);
            var lossWithout = without.step(new StepContext(w, params, 2, cfg));
            List<float[]> gWithout = WeightChecks.gradients(params);
            assertEquals(lossWith.parts().get("alignment"), lossWithout.parts().get("alignment"),
                    "both objectives drew the same alignment batch");

            double maxError = 0;
            double squared = 0;
            for (int t = 0; t < params.size(); t++) {
                for (int i = 0; i < gWith.get(t).length; i++) {
                    double distance = (double) theta.get(t)[i] - thetaSwitch.get(t)[i];
                    squared += distance * distance;
                    double expected = rho * distance;
                    maxError = Math.max(maxError, Math.abs(gWith.get(t)[i] - gWithout.get(t)[i] - expected));
                }
            }
            assertTrue(maxError < 1e-6, "max |Δg − ρ(θ − θ_switch)| = " + maxError);
            assertEquals(0.5 * rho * squared, lossWith.parts().get("proximal"), 1e-4 * squared);
            assertEquals(lossWith.parts().get("alignment") + lossWith.parts().get("proximal"), lossWith.loss(), 1e-9);
        }
    }

    @Test
    void addProximalOnZeroGradientsLeavesExactlyRhoTimesTheDifference() {
        try (LlamaWeights w = TinyFinetuningWorld.weights(5); NDManager scope = NDManager.newBaseManager()) {
            List<NDArray> all = WeightChecks.trainable(w);
            // A backward first, as in every real update: libtorch creates a leaf's gradient at its first backward.
            SupervisedObjective.forwardBackward(w, PaddedBatch.of(TinyFinetuningWorld.examples(2, Kind.HARMFUL, 1)),
                    8, TrainerConfig.DEFAULT_VOCAB_CHUNK);
            WeightChecks.zeroGradients(all);
            List<NDArray> params = all.subList(0, 3);
            List<NDArray> anchor = new ArrayList<>();
            for (NDArray p : params) {
                NDArray a = p.duplicate();
                a.attach(scope);
                a.subi(scope.full(new Shape(), 0.25f)); // θ − θ_switch = 0.25 everywhere
                anchor.add(a);
            }
            long count = params.stream().mapToLong(NDArray::size).sum();
            double value = Lisa.addProximal(params, anchor, 2.0);
            assertEquals(0.5 * 2.0 * 0.0625 * count, value, 1e-6 * count);
            for (float[] g : WeightChecks.gradients(params)) {
                for (float v : g) {
                    assertEquals(0.5f, v, 1e-6f);
                }
            }
        }
    }

    /** Through the registry, as the attack stage runs it: completes, trains, reports, and repeats bit for bit. */
    @Test
    void runsAsAWrappedAttackWithProbesAndIsDeterministic() {
        AttackSpec spec = new AttackSpec("harmful_sft", Map.of("steps", "6", "batch", "4", "samples", "16",
                "harmful_ratio", "0.5", "lr", "1e-2", "eval_steps", "0,3,6"), 11);
        Map<String, float[]> first = null;
        for (int run = 0; run < 2; run++) {
            try (LlamaWeights w = TinyFinetuningWorld.weights(6)) {
                Map<String, float[]> before = WeightChecks.snapshot(w);
                Attack attack = FinetuningDefences.create("lisa", Map.of("k_user", 3, "k_align", 1), spec,
                        TinyFinetuningWorld.provider(), AT);
                assertEquals("harmful_sft", attack.kind());
                List<Integer> probed = new ArrayList<>();
                AttackResult r = attack.run(w, TinyFinetuningWorld.userData(),
                        (step, weights, interventions) -> probed.add(step));
                assertEquals("completed", r.status());
                assertEquals(6, r.steps());
                assertEquals(List.of(0, 3, 6), probed);
                assertEquals(2.0, r.details().get("lisa_alignment_steps")); // updates 1 and 5
                assertEquals(4.0, r.details().get("lisa_user_steps"));
                assertEquals(16.0, r.details().get("samples"));
                assertTrue(Double.isFinite(r.details().get("final_loss")));
                Map<String, float[]> after = WeightChecks.snapshot(w);
                assertFalse(WeightChecks.bitIdentical(before, after), "the fine-tuning changed the weights");
                if (first == null) {
                    first = after;
                } else {
                    assertTrue(WeightChecks.bitIdentical(first, after), "same seed, same weights");
                }
            }
        }
    }

    @Test
    void alignmentStatesNeedTheProvidersAlignmentData() {
        AttackSpec spec = new AttackSpec("harmful_sft", Map.of("steps", "2", "batch", "4", "samples", "8"), 1);
        Attack attack = FinetuningDefences.create("lisa", Map.of(), spec,
                new ProviderData(List.of(), TinyFinetuningWorld.examples(4, Kind.HARMFUL, 1)), AT);
        try (LlamaWeights w = TinyFinetuningWorld.weights(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> attack.run(w, TinyFinetuningWorld.userData(), AttackProbe.NONE));
            assertTrue(e.getMessage().contains("alignment (refusal) examples"), e.getMessage());
        }
        // Without alignment states nothing from the provider is needed.
        Attack userOnly = FinetuningDefences.create("lisa", Map.of("k_align", 0), spec, ProviderData.NONE, AT);
        try (LlamaWeights w = TinyFinetuningWorld.weights(1)) {
            assertEquals("completed", userOnly.run(w, TinyFinetuningWorld.userData(), AttackProbe.NONE).status());
        }
    }
}
