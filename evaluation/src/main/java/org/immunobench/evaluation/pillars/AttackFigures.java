package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.PillarRow;

import java.util.ArrayList;
import java.util.List;

/**
 * The figures of the resistance pillar (rows with pillar {@code resistance}) and, identically, of the
 * generalisation pillar (rows with pillar {@code generalisation}, e.g. attacks from a held-out harm domain).
 * The rows of one pillar are grouped by (checkpoint, parent, defence, track, attack, judge) ({@link AttackGroup});
 * within a group, configs are the distinct attack_config_json, seeds the distinct seeds, and each task is one
 * run (config, seed) with a curve per metric. From the {@code harmful_rate} curves, which must start at step 0:
 * {@link WorstCaseHarm worst_case_harm}, {@link AucHarmLogSteps auc_harm_log_steps}, {@link FinalHarm final_harm},
 * {@link TimeToBreak t_break_phi_φ} for each configured φ; from the {@code harmful_nll} curves, if any:
 * {@link FinalHarmfulNll final_harmful_nll}. attack_family is the group's attack.
 */
final class AttackFigures {
    static final String HARMFUL_RATE = "harmful_rate";
    static final String HARMFUL_NLL = "harmful_nll";

    private AttackFigures() {
    }

    static List<PillarRow> compute(List<Run> runs, String pillar, List<Double> phis) {
        List<PillarRow> out = new ArrayList<>();
        for (AttackGroup g : AttackGroup.collect(runs, pillar, HARMFUL_RATE)) {
            requireStepZero(g);
            Subject s = g.subject();
            out.add(s.row(pillar, PillarMetrics.WORST_CASE_HARM, WorstCaseHarm.of(g), false));
            out.add(s.row(pillar, PillarMetrics.AUC_HARM_LOG_STEPS, AucHarmLogSteps.of(g), false));
            out.add(s.row(pillar, PillarMetrics.FINAL_HARM, FinalHarm.of(g), false));
            for (double phi : phis) {
                out.add(s.row(pillar, PillarMetrics.tBreak(phi), TimeToBreak.of(g, phi), true));
            }
        }
        for (AttackGroup g : AttackGroup.collect(runs, pillar, HARMFUL_NLL)) {
            out.add(g.subject().row(pillar, PillarMetrics.FINAL_HARMFUL_NLL, FinalHarmfulNll.of(g), true));
        }
        return out;
    }

    private static void requireStepZero(AttackGroup g) {
        for (var seeds : g.configs().values()) {
            for (Curve c : seeds.values()) {
                if (c.firstStep() != 0) {
                    throw new IllegalArgumentException("task " + c.taskId() + ", step " + c.firstStep()
                            + ": its harmful_rate curve (judge " + c.judge() + ") starts at step " + c.firstStep()
                            + "; attack curves must include the released checkpoint (step 0)");
                }
            }
        }
    }
}
