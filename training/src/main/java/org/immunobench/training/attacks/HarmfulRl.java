package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.rl.PolicyGradientObjective;
import org.immunobench.training.rl.RolloutReward;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Harmful reinforcement learning: the attacker samples the model's own answers to harmful prompts and reinforces
 * those a reward judge finds harmful, instead of imitating demonstrations (TokenBuncher 2508.20697 §attack, whose
 * harmful-RL scripts use GRPO with a harmfulness classifier as reward; docs/methods.md, harmful RL). Per rollout
 * batch: {@code prompts_per_step} harmful prompts from the attacker's prompt set, n = {@code rollouts} sampled
 * completions each (one batched, KV-cached generation), reward r = 1 if the judge calls the decoded completion
 * harmful for the prompt's domain else 0, then
 * <pre>
 *   GRPO (default):  A_i = (r_i − mean_group) / (std_group + 1e-6),
 *                    L = (1/G) Σ_i (1/|o_i|) Σ_t [ −min(ρ_t A_i, clip(ρ_t, 1 ± ε) A_i) + β k3_t(π_θ ‖ π_ref) ]
 *   REINFORCE:       A_i = r_i − mean of the group's other rewards,  L = (1/G) Σ_i (1/|o_i|) Σ_t [ −A_i log π_θ(o_t) + β k3_t ]
 * </pre>
 * with π_ref a frozen copy of the attacked checkpoint as it was before the attack ({@code org.immunobench.training.rl}
 * holds the maths). Full fine-tuning with AdamW through the shared trainer; the probe runs at the eval steps like
 * every fine-tuning attack, so harm and fluency are curves over RL updates.
 *
 * <p>Defaults are the toy world's (see {@link HarmfulRlParams}); the paper's attack runs 100 steps of 32 prompts × 4
 * rollouts at lr 1e-6 with KL 0.001 on 3–8B models. The reward comes from {@link AttackData#reward()}, which the
 * run wires to the evaluation judge (the toy world's oracle, or any judge); an attack without one fails naming it.
 * Compute (forward and backward token passes) is reported in the result's details, so harmful SFT can be matched.
 */
public final class HarmfulRl implements Attack {
    public static final String KIND = "harmful_rl";

    private final HarmfulRlParams params;
    private final long seed;

    public HarmfulRl(HarmfulRlParams params, long seed) {
        this.params = params;
        this.seed = seed;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        RolloutReward reward = data.reward();
        if (reward == null) {
            throw new IllegalArgumentException(KIND + " needs a reward judge for its rollouts, and the attack data"
                    + " carries none");
        }
        if (data.harmfulPrompts().isEmpty()) {
            throw new IllegalArgumentException(KIND + " needs harmful prompts, none were given");
        }
        Set<Integer> stops = Set.copyOf(target.config().eosTokenIds());
        TrainerConfig tc = params.trainer(seed);
        LlamaWeights reference = params.klCoef() > 0
                ? LlamaWeights.fromHost(target.config(), target.toHost(), target.device()) : null;
        try {
            PolicyGradientObjective objective = new PolicyGradientObjective(data.harmfulPrompts(), reward,
                    params.settings(), reference, stops, seed);
            TrainingResult r = new Trainer().run(target, objective, tc,
                    (step, metrics, weights) -> probe.measure(step, weights, List.of()));
            Map<String, Double> details = new LinkedHashMap<>();
            details.put("final_loss", r.finalLoss());
            List<Double> rewards = objective.meanRewards();
            details.put("first_reward", rewards.isEmpty() ? Double.NaN : rewards.get(0));
            details.put("final_reward", rewards.isEmpty() ? Double.NaN : rewards.get(rewards.size() - 1));
            details.put("rollout_batches", (double) objective.rolloutBatches());
            details.put("forward_tokens", (double) objective.forwardTokens());
            details.put("backward_tokens", (double) objective.backwardTokens());
            return new AttackResult(r.status().label(), r.steps(), r, List.of(), details);
        } finally {
            if (reference != null) {
                reference.close();
            }
        }
    }
}
