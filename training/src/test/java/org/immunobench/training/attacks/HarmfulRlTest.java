package org.immunobench.training.attacks;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.prompt.PromptFrame;
import org.immunobench.training.rl.RolloutReward;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.immunobench.training.testing.WeightChecks.bitIdentical;
import static org.immunobench.training.testing.WeightChecks.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * harmful_rl end to end on a tiny random Llama with a planted reward (the share of completion tokens in a "rewarded"
 * id range), built through the factory from string parameters like a config file's: the reward rises, the probe
 * runs at the eval steps, compute is counted, and the same seed gives the same weights.
 */
class HarmfulRlTest {
    static final int EOS = 3;
    static final ModelConfig CONFIG = ModelConfig.llama(24, 16, 32, 2, 4, 2, 64).withSpecialTokens(2, List.of(EOS), 0);
    /** Reward: fraction of the completion's tokens in [12, 18). */
    static final RolloutReward PLANTED = (policy, prompts, completions) -> {
        double[] r = new double[completions.size()];
        for (int i = 0; i < r.length; i++) {
            int hit = 0;
            for (int t : completions.get(i)) {
                hit += t >= 12 && t < 18 ? 1 : 0;
            }
            r[i] = hit / (double) completions.get(i).length;
        }
        return r;
    };

    static AttackData data(RolloutReward reward) {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prompts.add(new int[] {2, 4 + i % 5, 9 + i % 3});
        }
        return new AttackData(List.of(), List.of(), prompts, List.of(), Set.of()).withReward(reward);
    }

    private static LlamaWeights model() {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, 5), Device.cpu());
    }

    @Test
    void grpoRaisesAPlantedRewardReproducibly() {
        Map<String, String> params = Map.of("steps", "12", "lr", "0.01", "prompts_per_step", "3", "rollouts", "6",
                "max_new_tokens", "6", "eval_steps", "0,6,12", "kl_coef", "0.01");
        Attack attack = AttackFactory.create(new AttackSpec("harmful_rl", params, 3));
        assertInstanceOf(HarmfulRl.class, attack);
        List<Integer> probed = new ArrayList<>();
        AttackResult r;
        Map<String, float[]> after;
        try (LlamaWeights w = model()) {
            r = attack.run(w, data(PLANTED), (step, weights, iv) -> probed.add(step));
            after = snapshot(w);
        }
        System.out.println("harmful_rl on a planted reward: " + r.details());
        assertEquals("completed", r.status());
        assertEquals(12, r.steps());
        assertEquals(List.of(0, 6, 12), probed);
        assertTrue(r.details().get("final_reward") > r.details().get("first_reward") + 0.1, r.details().toString());
        assertEquals(12.0, r.details().get("rollout_batches"));
        assertTrue(r.details().get("forward_tokens") > 2 * r.details().get("backward_tokens"),
                "generation and reference scoring cost forward passes on top of the updates");
        try (LlamaWeights w = model()) {
            AttackFactory.create(new AttackSpec("harmful_rl", params, 3)).run(w, data(PLANTED), AttackProbe.NONE);
            assertTrue(bitIdentical(after, snapshot(w)), "same seed, same weights");
        }
    }

    @Test
    void reinforceVariantRunsAndDiffersFromGrpo() {
        Map<String, float[]> grpo;
        try (LlamaWeights w = model()) {
            AttackFactory.create(new AttackSpec("harmful_rl", Map.of("steps", "2", "rollouts", "4", "max_new_tokens",
                    "4", "prompts_per_step", "2", "lr", "0.01"), 1)).run(w, data(PLANTED), AttackProbe.NONE);
            grpo = snapshot(w);
        }
        try (LlamaWeights w = model()) {
            AttackResult r = AttackFactory.create(new AttackSpec("harmful_rl", Map.of("steps", "2", "rollouts", "4",
                    "max_new_tokens", "4", "prompts_per_step", "2", "lr", "0.01", "algorithm", "reinforce"), 1))
                    .run(w, data(PLANTED), AttackProbe.NONE);
            assertEquals("completed", r.status());
            assertFalse(bitIdentical(grpo, snapshot(w)));
        }
    }

    @Test
    void parametersAreBoundAndCheckedByKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("harmful_rl", Map.of("rollout", "4"), 0)));
        assertTrue(e.getMessage().startsWith("harmful_rl.rollout: unknown key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("harmful_rl", Map.of("rollouts", "1"), 0)));
        assertTrue(e.getMessage().startsWith("harmful_rl.rollouts: must be >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("harmful_rl", Map.of("algorithm", "ppo"), 0)));
        assertTrue(e.getMessage().contains("known: [grpo, reinforce]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("harmful_rl", Map.of("steps", "4", "eval_steps", "0,8"), 0)));
        assertTrue(e.getMessage().contains("eval_steps: 8 is outside"), e.getMessage());
        try (LlamaWeights w = model()) {
            e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                    new AttackSpec("harmful_rl", Map.of(), 0)).run(w, data(null), AttackProbe.NONE));
            assertTrue(e.getMessage().contains("needs a reward judge"), e.getMessage());
        }
    }

    @Test
    void misdirectionMeasuresFramedPromptsWithoutTouchingWeights() {
        Attack attack = AttackFactory.create(new AttackSpec("misdirection", Map.of("wrapper", "fiction"), 0));
        List<String> calls = new ArrayList<>();
        AttackProbe probe = new AttackProbe() {
            @Override
            public void measure(int step, LlamaWeights weights, List<org.immunobench.lm.model.ResidualIntervention> iv) {
                calls.add("plain " + step);
            }

            @Override
            public void measureFramed(int step, LlamaWeights weights, PromptFrame frame) {
                calls.add(frame.id() + " " + step);
            }
        };
        try (LlamaWeights w = model()) {
            Map<String, float[]> before = snapshot(w);
            AttackResult r = attack.run(w, data(null), probe);
            assertEquals(0, r.steps());
            assertTrue(bitIdentical(before, snapshot(w)));
            assertEquals(List.of("fiction 1"), calls);
            assertThrows(UnsupportedOperationException.class, () -> attack.run(w, data(null), AttackProbe.NONE),
                    "a probe that cannot frame prompts refuses");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackFactory.create(
                new AttackSpec("misdirection", Map.of("wrapper", "dan"), 0)));
        assertTrue(e.getMessage().startsWith("misdirection.wrapper: frame 'dan' is unknown"), e.getMessage());
    }
}
