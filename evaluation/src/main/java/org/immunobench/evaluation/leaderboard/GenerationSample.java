package org.immunobench.evaluation.leaderboard;

/**
 * One stored completion pair shown in a checkpoint's drill-down: the same prompt answered by the released checkpoint
 * (step 0) and by the attacked model (the task's last step), as one judge saw them.
 *
 * @param defence the row's defence
 * @param checkpointId the row's checkpoint
 * @param track the track of the task the pair comes from
 * @param judge the judge of the verdicts
 * @param taskId the attack task
 * @param promptSet {@code harmful} or {@code benign}
 * @param domain the prompt's domain
 * @param prompt the prompt
 * @param firstStep the first step stored (0: as released)
 * @param firstCompletion the completion then
 * @param firstVerdict the judge's verdicts then, e.g. "refusal, fluent"
 * @param lastStep the last step stored
 * @param lastCompletion the completion then
 * @param lastVerdict the verdicts then
 */
public record GenerationSample(String defence, String checkpointId, String track, String judge, String taskId,
        String promptSet, String domain, String prompt, int firstStep, String firstCompletion, String firstVerdict,
        int lastStep, String lastCompletion, String lastVerdict) {
}
