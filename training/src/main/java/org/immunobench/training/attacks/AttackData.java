package org.immunobench.training.attacks;

import org.immunobench.training.rl.RolloutReward;
import org.immunobench.training.trainer.TrainingExample;

import java.util.List;
import java.util.Set;

/**
 * What an attacker holds, already tokenised: harmful demonstrations (prompt + compliant response, loss on the
 * response), benign demonstrations, and bare harmful / harmless prompts (for representation attacks), plus the ids
 * of tokens that open a refusal (Arditi et al.'s refusal score), and, for attacks that learn from the model's own
 * samples ({@code harmful_rl}), a reward judge of rollouts (null when the run gives none).
 */
public record AttackData(List<TrainingExample> harmful, List<TrainingExample> benign, List<int[]> harmfulPrompts,
        List<int[]> harmlessPrompts, Set<Integer> refusalTokens, RolloutReward reward) {
    public AttackData {
        harmful = List.copyOf(harmful);
        benign = List.copyOf(benign);
        harmfulPrompts = List.copyOf(harmfulPrompts);
        harmlessPrompts = List.copyOf(harmlessPrompts);
        refusalTokens = Set.copyOf(refusalTokens);
    }

    /** Without a reward judge. */
    public AttackData(List<TrainingExample> harmful, List<TrainingExample> benign, List<int[]> harmfulPrompts,
            List<int[]> harmlessPrompts, Set<Integer> refusalTokens) {
        this(harmful, benign, harmfulPrompts, harmlessPrompts, refusalTokens, null);
    }

    /** The same data with {@code reward} as the judge of rollouts. */
    public AttackData withReward(RolloutReward reward) {
        return new AttackData(harmful, benign, harmfulPrompts, harmlessPrompts, refusalTokens, reward);
    }
}
