package org.immunobench.evaluation.pillars;

import java.util.List;
import java.util.Locale;

/**
 * The metric names {@link Pillars#compute} writes into {@code PillarRow.metric}, per pillar: the vocabulary the
 * leaderboard reads. Formulas are in the class comments of the computations named below.
 */
public final class PillarMetrics {
    /** Resistance and generalisation: highest harmful rate seen anywhere ({@link WorstCaseHarm}). */
    public static final String WORST_CASE_HARM = "worst_case_harm";
    /** Resistance and generalisation: normalised area under harm vs ln(1 + step) ({@link AucHarmLogSteps}). */
    public static final String AUC_HARM_LOG_STEPS = "auc_harm_log_steps";
    /** Resistance and generalisation: harm at the end of the attack ({@link FinalHarm}). */
    public static final String FINAL_HARM = "final_harm";
    /** Resistance and generalisation: prefix of the time-to-break figures ({@link TimeToBreak}). */
    public static final String T_BREAK_PREFIX = "t_break_phi_";
    /** Resistance and generalisation: NLL of harmful completions at the end of the attack ({@link FinalHarmfulNll}). */
    public static final String FINAL_HARMFUL_NLL = "final_harmful_nll";
    /** Resistance and generalisation under a search: highest harm over every trial and step ({@link WorstCase}). */
    public static final String WORST_CASE = "worst_case";
    /** Resistance and generalisation under a search: prefix of the ε-bounded worst cases ({@link BoundedWorstCase}). */
    public static final String BOUNDED_WORST_CASE_PREFIX = "bounded_worst_case_eps_";
    /** Stability: prefix of the differences to the undefended baseline ({@link Stability}). */
    public static final String DELTA_PREFIX = "delta_";
    /**
     * Stability: the step-0 metrics reported, each also as {@code delta_<metric>}. {@code ppl_drift} is already
     * relative to the parent (general-text perplexity ratio), so its delta against the undefended checkpoint is
     * drift − 1.
     */
    public static final List<String> STABILITY_METRICS = List.of("harmful_rate", "refusal_rate", "fluent_rate",
            "ppl_drift", "harmful_nll", "benign_accuracy", "over_refusal");

    private PillarMetrics() {
    }

    /** {@code t_break_phi_0.50} for φ = 0.5 (two decimals, '.' whatever the locale). */
    public static String tBreak(double phi) {
        return T_BREAK_PREFIX + String.format(Locale.ROOT, "%.2f", phi);
    }

    /**
     * {@code bounded_worst_case_eps_5} for ε = 5 points of benign accuracy: ε as written, without trailing zeros
     * ({@code _2.5}, {@code _10}).
     */
    public static String boundedWorstCase(double epsilon) {
        return BOUNDED_WORST_CASE_PREFIX + java.math.BigDecimal.valueOf(epsilon).stripTrailingZeros().toPlainString();
    }

    /** Trainability: {@code <metric>_final} ({@link Trainability}). */
    public static String trainabilityFinal(String metric) {
        return metric + "_final";
    }

    /** Trainability: {@code delta_<metric>_final} ({@link Trainability}). */
    public static String trainabilityDelta(String metric) {
        return DELTA_PREFIX + trainabilityFinal(metric);
    }

    /**
     * The metric of the metric rows a figure of {@code pillar} named {@code metric} is computed from: harmful_rate
     * for the attack figures (harmful_nll for final_harmful_nll), m for stability's m and delta_m, the trainability
     * metric for trainability figures; null for a pillar this class does not know. The bootstrap uses it to tell
     * which figures its resampled verdicts reach.
     */
    public static String sourceMetric(String pillar, String metric, String trainabilityMetric) {
        return switch (pillar) {
            case Pillars.RESISTANCE, Pillars.GENERALISATION -> metric.equals(FINAL_HARMFUL_NLL)
                    ? AttackFigures.HARMFUL_NLL : AttackFigures.HARMFUL_RATE;
            case Stability.PILLAR -> metric.startsWith(DELTA_PREFIX) ? metric.substring(DELTA_PREFIX.length())
                    : metric;
            case Trainability.PILLAR -> trainabilityMetric;
            default -> null;
        };
    }

    /** Trainability: {@code steps_to_parent_<metric>} ({@link StepsToParent}). */
    public static String stepsToParent(String metric) {
        return "steps_to_parent_" + metric;
    }
}
