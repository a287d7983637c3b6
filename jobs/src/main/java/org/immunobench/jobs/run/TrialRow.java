package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * One search trial in {@code RUN/search/trials} (docs/data-contracts.md): what it ran and how it ended. Its
 * measurements are in {@code RUN/search/metrics} under {@code task_id} = {@code trial_id}.
 *
 * @param trialIndex its place in the search (the sampler's point index)
 * @param wave the wave it ran in; its stopping decisions saw the trials of earlier waves only
 * @param attackConfigJson the attack's hyper-parameters (fixed and sampled, with steps and eval steps), canonical JSON
 * @param status {@code completed}, {@code stopped} (by successive halving at {@code last_step}), {@code diverged}
 * @param lastStep the last step measured
 * @param rungScoresJson its scores at the decision rungs it reached: [{step, harm, nll, drop}] (harmful-response
 *     NLL in nats per token; drop in points of benign accuracy against its step 0)
 * @param seconds wall time of the task (for reports only: it varies from run to run)
 */
public record TrialRow(String runId, String searchId, String trialId, int trialIndex, int wave, String checkpointId,
        String parentId, String defence, String track, String attack, String split, String pillar,
        String attackConfigJson, long seed, String status, int lastStep, String rungScoresJson, double seconds,
        String createdAt, String codeVersion) implements Serializable {
}
