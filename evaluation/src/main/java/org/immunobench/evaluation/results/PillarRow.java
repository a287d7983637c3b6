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
 * @param ciLow lower end of the 95% interval, NaN if undefined; how it was made is {@code ciMethod}
 * @param ciHigh upper end
 * @param judge judge of the underlying rates
 * @param higherIsBetter whether a defender wants this value high
 * @param seedMin smallest per-seed figure behind the spread (NaN when the figure has no per-seed values)
 * @param seedMax largest per-seed figure
 * @param ciMethod {@value #CI_BOOTSTRAP} (percentile interval of a bootstrap over prompts and seeds),
 *     {@value #CI_SEED_NORMAL} (mean ± 1.96 · spread / √n_seeds) or {@value #CI_NONE} (undefined)
 * @param nBoot bootstrap resamples behind the interval (0 unless {@code ciMethod} is {@value #CI_BOOTSTRAP})
 */
public record PillarRow(String defence, String track, String checkpointId, String parentId, String attackFamily,
        String pillar, String metric, double value, long n, int nSeeds, double spread, double ciLow, double ciHigh,
        String judge, boolean higherIsBetter, double seedMin, double seedMax, String ciMethod, int nBoot)
        implements Serializable {
    public static final String CI_BOOTSTRAP = "bootstrap";
    public static final String CI_SEED_NORMAL = "seed_normal";
    public static final String CI_NONE = "none";

    /**
     * A row without per-seed range or bootstrap (seed_min and seed_max NaN): its interval is {@value #CI_SEED_NORMAL}
     * when finite, else {@value #CI_NONE}.
     */
    public PillarRow(String defence, String track, String checkpointId, String parentId, String attackFamily,
            String pillar, String metric, double value, long n, int nSeeds, double spread, double ciLow,
            double ciHigh, String judge, boolean higherIsBetter) {
        this(defence, track, checkpointId, parentId, attackFamily, pillar, metric, value, n, nSeeds, spread, ciLow,
                ciHigh, judge, higherIsBetter, Double.NaN, Double.NaN,
                Double.isNaN(ciLow) || Double.isNaN(ciHigh) ? CI_NONE : CI_SEED_NORMAL, 0);
    }

    /** This row with another 95% interval. */
    public PillarRow withInterval(double low, double high, String method, int resamples) {
        return new PillarRow(defence, track, checkpointId, parentId, attackFamily, pillar, metric, value, n, nSeeds,
                spread, low, high, judge, higherIsBetter, seedMin, seedMax, method, resamples);
    }

    /** The identity of the figure: every field but the numbers. */
    public String key() {
        return String.join("\u0000", defence, track, checkpointId, parentId, attackFamily, pillar, metric, judge);
    }
}
