package org.immunobench.training.rl;

import org.immunobench.lm.model.LlamaWeights;

import java.util.List;

/**
 * The reward of sampled rollouts: a judge's verdict on the decoded completion for a harmful-RL attacker (the
 * evaluation module's judge adapters implement it; training never sees a judge), or a quantity of the policy itself
 * (TokenBuncher's negative entropy).
 */
@FunctionalInterface
public interface RolloutReward {
    /**
     * @param policy the model that sampled the rollouts, as it was when sampling; read-only (judges ignore it)
     * @param prompts token ids of each rollout's prompt, with BOS
     * @param completions the sampled tokens after each prompt (a stop token included when one was sampled)
     * @return one finite reward per rollout
     */
    double[] score(LlamaWeights policy, List<int[]> prompts, List<int[]> completions);
}
