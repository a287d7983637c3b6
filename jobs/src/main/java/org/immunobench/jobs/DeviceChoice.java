package org.immunobench.jobs;

/**
 * Where tasks run their models ({@code --device}).
 *
 * <ul>
 *   <li>{@code cpu}: always the CPU, whatever Spark assigned.</li>
 *   <li>{@code gpu}: the GPU Spark assigned the task; a task without an assigned GPU, or on an executor whose
 *       libtorch sees no CUDA device, fails with an error saying which.</li>
 *   <li>{@code auto}: the assigned GPU when libtorch sees CUDA, else the CPU; each task logs which.</li>
 * </ul>
 * Local masters never assign GPUs ({@link SparkSessions}), so there every choice ends on the CPU.
 */
public enum DeviceChoice {
    cpu,
    gpu,
    auto
}
