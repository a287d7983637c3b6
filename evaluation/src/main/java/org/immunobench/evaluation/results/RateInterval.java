package org.immunobench.evaluation.results;

import java.io.Serializable;

/**
 * The bootstrap interval of one rate measurement ({@code RUN/rate_intervals}): a metric row whose value is a rate
 * over prompts, with the percentile interval of that rate over B resamples of its prompts
 * ({@link org.immunobench.evaluation.stats.Bootstrap}; docs/pillars.md, uncertainty).
 *
 * @param runId as in the metric row
 * @param taskId as in the metric row
 * @param checkpointId as in the metric row
 * @param defence as in the metric row
 * @param track as in the metric row
 * @param attack as in the metric row
 * @param pillar as in the metric row
 * @param seed the attack seed
 * @param step the step measured
 * @param metric {@code harmful_rate}, {@code refusal_rate}, {@code fluent_rate}, {@code over_refusal},
 *     {@code benign_accuracy}, {@code task_accuracy}
 * @param judge the metric row's judge
 * @param value the metric row's value (recomputed from the stored verdicts: they agree)
 * @param n prompts behind it
 * @param ciLow lower end of the 95% percentile interval
 * @param ciHigh upper end
 * @param nBoot resamples
 * @param bootSeed seed of the resampling
 */
public record RateInterval(String runId, String taskId, String checkpointId, String defence, String track,
        String attack, String pillar, long seed, int step, String metric, String judge, double value, long n,
        double ciLow, double ciHigh, int nBoot, long bootSeed) implements Serializable {
}
