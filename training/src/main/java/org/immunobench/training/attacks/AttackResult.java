package org.immunobench.training.attacks;

import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.training.trainer.TrainingResult;

import java.util.List;
import java.util.Map;

/**
 * Outcome of one attack run.
 *
 * @param status {@code completed}, {@code diverged} or {@code failed}
 * @param steps optimiser updates applied (0 for forward-only attacks)
 * @param training the trainer's result, or null for forward-only attacks
 * @param interventions to apply at inference when evaluating the attacked model (empty for weight-only attacks)
 * @param details attack-specific figures (selected layer, KL, …) for the metrics table
 */
public record AttackResult(String status, int steps, TrainingResult training,
        List<ResidualIntervention> interventions, Map<String, Double> details) {
    public AttackResult {
        interventions = List.copyOf(interventions);
        details = Map.copyOf(details);
    }
}
