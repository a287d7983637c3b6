package org.immunobench.jobs;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.immunobench.lm.runtime.DeviceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The device a Spark task runs its model on: the first GPU address Spark assigned to the task, else the CPU.
 *
 * <p>Never DJL's default device: DJL picks gpu(0) whenever CUDA is visible, so executors that see every GPU of a
 * host would all pile onto GPU 0 (docs/engine-notes.md, devices come from Spark). Addresses are what the discovery
 * script printed; in isolated containers (YARN, Kubernetes) those are container-local ordinals, which is what libtorch
 * expects.
 */
public final class TaskDevices {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDevices.class);
    private static final AtomicBoolean WARNED_NO_GPU = new AtomicBoolean();

    private TaskDevices() {
    }

    /** The device of the running task ({@link TaskContext#get()}; CPU outside a task). */
    public static DeviceSpec current(boolean gpuRequested) {
        TaskContext tc = TaskContext.get();
        DeviceSpec device = forTask(tc == null ? Map.of() : tc.resourcesJMap(), gpuRequested);
        if (gpuRequested && !device.isGpu() && WARNED_NO_GPU.compareAndSet(false, true)) {
            LOG.warn("--device gpu was requested but Spark gave this task no 'gpu' resource; running on CPU"
                    + " (set spark.task.resource.gpu.amount, see conf/spark-gpu.conf)");
        }
        return device;
    }

    /** Pure selection: {@code gpu} resource address 0 when a GPU was requested and assigned, else CPU. */
    public static DeviceSpec forTask(Map<String, ResourceInformation> resources, boolean gpuRequested) {
        if (!gpuRequested || resources == null) {
            return DeviceSpec.CPU;
        }
        ResourceInformation gpu = resources.get("gpu");
        if (gpu == null || gpu.addresses() == null || gpu.addresses().length == 0) {
            return DeviceSpec.CPU;
        }
        String address = gpu.addresses()[0].trim();
        int ordinal;
        try {
            ordinal = Integer.parseInt(address);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned gpu address '" + address + "', which is not a device"
                    + " ordinal; the GPU discovery script must print integer addresses (see conf/getGpusResources.sh)");
        }
        if (ordinal < 0) {
            throw new IllegalStateException("Spark assigned gpu address '" + address + "'; ordinals are >= 0");
        }
        return DeviceSpec.gpu(ordinal);
    }
}
