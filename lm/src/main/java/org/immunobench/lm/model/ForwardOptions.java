package org.immunobench.lm.model;

import java.util.List;

/**
 * What a forward pass should produce and change.
 *
 * @param logits which logits to compute: all positions, only the last, or none (scoring uses the final hidden
 *     state with a chunked log-softmax instead)
 * @param captureHidden return the residual stream at every POST hook point (and the embeddings)
 * @param interventions applied in order at every hook point
 */
public record ForwardOptions(Logits logits, boolean captureHidden, List<ResidualIntervention> interventions) {
    public enum Logits { ALL, LAST, NONE }

    public ForwardOptions {
        interventions = interventions == null ? List.of() : List.copyOf(interventions);
    }

    public static ForwardOptions allLogits() {
        return new ForwardOptions(Logits.ALL, false, List.of());
    }

    public static ForwardOptions hiddenOnly() {
        return new ForwardOptions(Logits.NONE, false, List.of());
    }

    public ForwardOptions withCapture() {
        return new ForwardOptions(logits, true, interventions);
    }

    public ForwardOptions withInterventions(List<ResidualIntervention> list) {
        return new ForwardOptions(logits, captureHidden, list);
    }

    public ForwardOptions withLogits(Logits which) {
        return new ForwardOptions(which, captureHidden, interventions);
    }
}
