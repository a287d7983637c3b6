package org.immunobench.training.attacks;

import org.immunobench.training.trainer.TrainingExample;

import java.util.List;

/**
 * What the provider of a fine-tuning service holds besides the user's data, already tokenised: the data of a
 * fine-tuning-stage defence ({@link FinetuningDefences}), which runs inside the user's fine-tuning. The user's data
 * stays in {@link AttackData}; keeping the provider's apart means an attack can never train on it by accident.
 *
 * @param alignment harmful prompt → refusal demonstrations (Lisa's alignment state)
 * @param harmful harmful prompt → compliant demonstrations the provider collected itself, disjoint from the user's
 *     (the training set of Security Vectors)
 */
public record ProviderData(List<TrainingExample> alignment, List<TrainingExample> harmful) {
    /** A provider with no data: enough to check a configuration, not to run a defence that needs data. */
    public static final ProviderData NONE = new ProviderData(List.of(), List.of());

    public ProviderData {
        alignment = List.copyOf(alignment);
        harmful = List.copyOf(harmful);
    }
}
