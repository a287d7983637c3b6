package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;

/**
 * The stage-level ResourceProfile of the stages that train: one GPU per task, and the task's CPUs. Never used with a
 * local master: Spark refuses resource profiles there (docs/engine-notes.md, local mode cannot schedule GPU
 * resources).
 *
 * <p>With dynamic allocation off (the default, and what Standalone supports for task-only profiles), the profile
 * changes only what a task asks of the executors that already run, which must have GPUs
 * ({@code spark.executor.resource.gpu.amount}); Spark then runs at most as many of these tasks at once on an executor
 * as it has GPUs. With dynamic allocation on, Spark needs the executors' side too, so the profile also asks for
 * executors with {@code spark.executor.cores} cores and {@code spark.executor.resource.gpu.amount} GPUs (found by
 * the configured discovery script).
 */
public final class GpuProfiles {
    private GpuProfiles() {
    }

    public static ResourceProfile oneGpuPerTask(SparkConf conf, int taskCpus) {
        ResourceProfileBuilder b = new ResourceProfileBuilder()
                .require(new TaskResourceRequests().cpus(taskCpus).resource("gpu", 1.0));
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            if (!conf.contains("spark.executor.cores")) {
                throw new IllegalArgumentException("spark.dynamicAllocation.enabled=true: set spark.executor.cores,"
                        + " which the GPU stages' resource profile asks executors for (Spark does not infer it)");
            }
            long gpus = (long) Math.ceil(Double.parseDouble(conf.get("spark.executor.resource.gpu.amount", "1")));
            b.require(new ExecutorResourceRequests().cores(conf.getInt("spark.executor.cores", 1))
                    .resource("gpu", Math.max(1, gpus), conf.get("spark.executor.resource.gpu.discoveryScript", ""),
                            conf.get("spark.executor.resource.gpu.vendor", "")));
        }
        return b.build();
    }
}
