package org.immunobench.training.rl;

/**
 * How a policy-gradient run samples and weighs its rollouts.
 *
 * @param algorithm GRPO (clipped ratio, group-normalised advantages) or REINFORCE (leave-one-out baseline)
 * @param promptsPerBatch prompts per rollout batch
 * @param rollouts completions sampled per prompt (the group size n); at least 2, since both estimators compare a
 *     rollout with the others of its group
 * @param maxNewTokens longest completion
 * @param temperature sampling temperature (> 0: RL needs samples, not the greedy answer)
 * @param topP nucleus mass
 * @param clip ε of GRPO's clipped ratio
 * @param klCoef β, weight of the k3 KL to the reference (0 = no reference model is kept)
 * @param updatesPerBatch optimiser updates on one rollout batch (GRPO's μ); from the second on, ρ ≠ 1
 */
public record RlSettings(PolicyLoss.Algorithm algorithm, int promptsPerBatch, int rollouts, int maxNewTokens,
        double temperature, double topP, double clip, double klCoef, int updatesPerBatch) {
    public RlSettings {
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm must be set (grpo, reinforce)");
        }
        if (promptsPerBatch <= 0) {
            throw new IllegalArgumentException("prompts_per_step: must be > 0, got " + promptsPerBatch);
        }
        if (rollouts < 2) {
            throw new IllegalArgumentException("rollouts: must be >= 2 (advantages compare the rollouts of a prompt),"
                    + " got " + rollouts);
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("max_new_tokens: must be > 0, got " + maxNewTokens);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature: must be > 0 and finite, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p: must be in (0, 1], got " + topP);
        }
        if (!(clip > 0 && clip < 1)) {
            throw new IllegalArgumentException("clip: must be in (0, 1), got " + clip);
        }
        if (!(klCoef >= 0) || !Double.isFinite(klCoef)) {
            throw new IllegalArgumentException("kl_coef: must be >= 0 and finite, got " + klCoef);
        }
        if (updatesPerBatch <= 0) {
            throw new IllegalArgumentException("updates_per_batch: must be > 0, got " + updatesPerBatch);
        }
    }
}
