package org.immunobench.jobs;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.immunobench.lm.runtime.DeviceSpec;
import org.immunobench.lm.runtime.DjlRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Map;

/**
 * The device a Spark task runs its model on, from the GPU address Spark assigned the task, the {@link DeviceChoice}
 * and whether libtorch sees CUDA here.
 *
 * <p>Never DJL's default device: DJL picks gpu(0) whenever CUDA is visible, so executors that see every GPU of a
 * host would all pile onto GPU 0 (docs/engine-notes.md, devices come from Spark). Addresses are what the worker's
 * resources file or discovery script declared; in isolated containers (YARN, Kubernetes) those are container-local
 * ordinals, which is what libtorch expects.
 */
public final class TaskDevices {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDevices.class);

    private TaskDevices() {
    }

    /**
     * What a task got.
     *
     * @param device where its model runs
     * @param gpuAddress the first {@code gpu} address Spark assigned the task (recorded even when the task runs on the
     *     CPU), or null
     * @param note why the device differs from the assignment (e.g. no CUDA), or null
     */
    public record Assignment(DeviceSpec device, String gpuAddress, String note) implements Serializable {
    }

    /** The running task's assignment ({@link TaskContext#get()}; no GPU outside a task); logged when a GPU is involved. */
    public static Assignment current(DeviceChoice choice) {
        TaskContext tc = TaskContext.get();
        Map<String, ResourceInformation> resources = tc == null ? Map.of() : tc.resourcesJMap();
        boolean assigned = gpuAddress(resources) != null;
        // Only ask libtorch about CUDA when it matters: starting the engine is not free.
        int cuda = choice != DeviceChoice.cpu && assigned ? DjlRuntime.gpuCount() : 0;
        Assignment a = forTask(resources, choice, cuda);
        if (assigned || choice != DeviceChoice.cpu) {
            String where = tc == null ? "driver" : "task " + tc.taskAttemptId() + " (stage " + tc.stageId()
                    + ", partition " + tc.partitionId() + ") on executor " + executorId();
            if (a.note() == null) {
                LOG.info("{}: --device {}, assigned gpu {}: running on {}", where, choice, a.gpuAddress(), a.device());
            } else {
                LOG.warn("{}: --device {}: {}", where, choice, a.note());
            }
        }
        return a;
    }

    /** The executor this JVM is ({@code driver} in local mode and outside Spark). */
    public static String executorId() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "driver" : env.executorId();
    }

    /**
     * Pure selection.
     *
     * @param resources the task's resources ({@code TaskContext.resourcesJMap()})
     * @param cudaDevices CUDA devices libtorch sees in this JVM (0 with the CPU libtorch)
     */
    public static Assignment forTask(Map<String, ResourceInformation> resources, DeviceChoice choice,
            int cudaDevices) {
        String address = gpuAddress(resources);
        if (choice == DeviceChoice.cpu) {
            return new Assignment(DeviceSpec.CPU, address, null);
        }
        if (address == null) {
            if (choice == DeviceChoice.gpu) {
                throw new IllegalStateException("--device gpu: Spark assigned this task no 'gpu' resource; give"
                        + " executors GPUs (spark.executor.resource.gpu.amount, see conf/spark-gpu.conf) or use"
                        + " --device auto or cpu");
            }
            return new Assignment(DeviceSpec.CPU, null, "no GPU assigned to this task: running on the CPU");
        }
        int ordinal = ordinal(address);
        if (ordinal >= cudaDevices) {
            String why = cudaDevices == 0
                    ? "libtorch sees no CUDA device here (CPU-only libtorch, or PYTORCH_LIBRARY_PATH and"
                            + " PYTORCH_FLAVOR=cu128 not set; see conf/spark-gpu.conf)"
                    : "libtorch sees only " + cudaDevices + " CUDA device(s) here";
            if (choice == DeviceChoice.gpu) {
                throw new IllegalStateException("--device gpu: Spark assigned this task GPU " + address + " but " + why
                        + "; use --device auto to fall back to the CPU");
            }
            return new Assignment(DeviceSpec.CPU, address, "assigned GPU " + address + " but " + why
                    + ": running on the CPU");
        }
        return new Assignment(DeviceSpec.gpu(ordinal), address, null);
    }

    private static String gpuAddress(Map<String, ResourceInformation> resources) {
        if (resources == null) {
            return null;
        }
        ResourceInformation gpu = resources.get("gpu");
        if (gpu == null || gpu.addresses() == null || gpu.addresses().length == 0) {
            return null;
        }
        return gpu.addresses()[0].trim();
    }

    private static int ordinal(String address) {
        int ordinal;
        try {
            ordinal = Integer.parseInt(address);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned gpu address '" + address + "', which is not a device"
                    + " ordinal; the GPU discovery script or resources file must give integer addresses (see"
                    + " conf/getGpusResources.sh)");
        }
        if (ordinal < 0) {
            throw new IllegalStateException("Spark assigned gpu address '" + address + "'; ordinals are >= 0");
        }
        return ordinal;
    }
}
