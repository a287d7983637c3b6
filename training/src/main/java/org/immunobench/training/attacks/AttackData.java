package org.immunobench.training.attacks;

import org.immunobench.training.trainer.TrainingExample;

import java.util.List;
import java.util.Set;

/**
 * What an attacker holds, already tokenised: harmful demonstrations (prompt + compliant response, loss on the
 * response), benign demonstrations, and bare harmful / harmless prompts (for representation attacks), plus the ids
 * of tokens that open a refusal (Arditi et al.'s refusal score).
 */
public record AttackData(List<TrainingExample> harmful, List<TrainingExample> benign, List<int[]> harmfulPrompts,
        List<int[]> harmlessPrompts, Set<Integer> refusalTokens) {
    public AttackData {
        harmful = List.copyOf(harmful);
        benign = List.copyOf(benign);
        harmfulPrompts = List.copyOf(harmfulPrompts);
        harmlessPrompts = List.copyOf(harmlessPrompts);
        refusalTokens = Set.copyOf(refusalTokens);
    }
}
