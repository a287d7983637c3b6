package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * What a task reports back to the driver (and {@code RUN/summary.json} lists).
 *
 * @param status {@code done} or {@code failed}
 * @param summary one line for the log (e.g. the final harmful rate), or the error
 * @param modelSeconds time in training and evaluation forward passes; the rest of {@code seconds} is loading,
 *     data preparation and writing
 * @param executor the Spark executor that ran it ({@code driver} in local mode)
 * @param gpuAddress the GPU address Spark assigned the task, or null (recorded even when it ran on the CPU)
 * @param device where its model ran ({@code cpu}, {@code gpu:N})
 * @param startedAtMs wall-clock start and end (epoch milliseconds), to tell which tasks ran at the same time
 */
public record TaskOutcome(String taskId, String stage, String status, double seconds, double modelSeconds,
        String summary, String executor, String gpuAddress, String device, long startedAtMs, long endedAtMs)
        implements Serializable {

    public TaskOutcome(String taskId, String stage, String status, double seconds, double modelSeconds,
            String summary) {
        this(taskId, stage, status, seconds, modelSeconds, summary, null, null, null, 0, 0);
    }

    public boolean failed() {
        return status.equals("failed");
    }

    /** This outcome with where and when it ran. */
    public TaskOutcome placed(String executor, String gpuAddress, String device, long startedAtMs, long endedAtMs) {
        return new TaskOutcome(taskId, stage, status, seconds, modelSeconds, summary, executor, gpuAddress, device,
                startedAtMs, endedAtMs);
    }

    /** "executor 1, gpu 0 -> cpu" for progress lines. */
    public String placement() {
        return "executor " + executor + (gpuAddress == null ? "" : ", gpu " + gpuAddress) + " -> " + device;
    }
}
