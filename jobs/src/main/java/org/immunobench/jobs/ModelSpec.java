package org.immunobench.jobs;

import org.immunobench.lm.runtime.DeviceSpec;
import org.immunobench.lm.runtime.RuntimeOptions;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * What a Spark closure carries instead of a model: where the checkpoint is and how to run it. The executor turns
 * it into a loaded model through {@link ExecutorModelCache}; the device in {@code options} is replaced by the
 * task's own ({@link TaskDevices}).
 *
 * @param path absolute checkpoint directory, readable at the same path on every executor
 */
public record ModelSpec(String path, RuntimeOptions options) implements Serializable {
    public ModelSpec {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("model path must be set");
        }
        if (options == null) {
            throw new IllegalArgumentException("runtime options must be set");
        }
        path = Path.of(path).toAbsolutePath().normalize().toString();
    }

    public ModelSpec onDevice(DeviceSpec device) {
        return new ModelSpec(path, options.withDevice(device));
    }
}
