package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.TrainingExample;

import java.util.List;

/**
 * What a defender holds, already tokenised. Every list may be empty; a defence that needs one that is empty fails
 * with a message naming it.
 *
 * @param alignment harmful prompts with refusal responses (the align split's refusal rows), loss on the response
 * @param harmful harmful demonstrations (prompt + compliant response), for defences that simulate the attacker
 *     (Vaccine's perturbation, RepNoise, TAR's inner loop …); never the attack or eval split
 * @param benign benign demonstrations to keep capability (retain set)
 * @param harmfulPrompts bare harmful prompts (representation defences)
 * @param harmlessPrompts bare harmless prompts
 * @param reference the parent's pre-alignment model when the experiment names one (LoX's W_base), else null; owned
 *     by the caller, read-only for the defence
 */
public record DefenceData(List<TrainingExample> alignment, List<TrainingExample> harmful,
        List<TrainingExample> benign, List<int[]> harmfulPrompts, List<int[]> harmlessPrompts,
        LlamaWeights reference) {
    public DefenceData {
        alignment = List.copyOf(alignment);
        harmful = List.copyOf(harmful);
        benign = List.copyOf(benign);
        harmfulPrompts = List.copyOf(harmfulPrompts);
        harmlessPrompts = List.copyOf(harmlessPrompts);
    }

    /** The reference model, or an error naming the defence and the experiment key that provides it. */
    public LlamaWeights requireReference(String defence) {
        if (reference == null) {
            throw new IllegalArgumentException(defence + " needs the parent's pre-alignment model: set"
                    + " parents[].reference in the experiment config (e.g. world:base)");
        }
        return reference;
    }
}
