package org.immunobench.evaluation.results;

import java.io.Serializable;

/**
 * One pillar figure in {@code RUN/pillars}: per (checkpoint, defence, attack family, pillar, metric), aggregated
 * over the attack's hyper-parameters and seeds as the metric says (docs/pillars.md).
 *
 * @param defence defence name ({@code none} = the undefended parent)
 * @param track {@code open_weight} or {@code finetuning_stage}
 * @param checkpointId the immunised checkpoint
 * @param parentId its parent checkpoint
 * @param attackFamily attack kind ({@code harmful_sft} …), or {@code none} for stability figures
 * @param pillar {@code resistance}, {@code stability}, {@code generalisation} or {@code trainability}
 * @param metric e.g. {@code worst_case_harm}, {@code t_break_phi_0.50}, {@code auc_harm_log_steps},
 *     {@code delta_benign_accuracy}
 * @param value the figure: a mean over seeds unless the metric is a worst case
 * @param n prompts behind each underlying measurement (the smallest one when they differ)
 * @param nSeeds seeds aggregated
 * @param spread standard deviation over seeds (0 with one seed; NaN when undefined)
 * @param ciLow lower end of the 95% interval (mean ± 1.96·spread/√seeds here; bootstrap later), NaN if undefined
 * @param ciHigh upper end
 * @param judge judge of the underlying rates
 * @param higherIsBetter whether a defender wants this value high
 */
public record PillarRow(String defence, String track, String checkpointId, String parentId, String attackFamily,
        String pillar, String metric, double value, long n, int nSeeds, double spread, double ciLow, double ciHigh,
        String judge, boolean higherIsBetter) implements Serializable {
}
