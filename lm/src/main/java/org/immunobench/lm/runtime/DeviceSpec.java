package org.immunobench.lm.runtime;

import ai.djl.Device;

import java.util.Locale;

/**
 * Where a model runs: {@code cpu} or {@code gpu:N} (also accepted: {@code cuda:N}, {@code gpu} = gpu:0).
 *
 * <p>Kept as a tiny value so Spark closures can carry it; {@link #toDevice()} is only called on the executor.
 */
public record DeviceSpec(String type, int index) implements java.io.Serializable {
    public static final DeviceSpec CPU = new DeviceSpec("cpu", -1);

    public DeviceSpec {
        if (!"cpu".equals(type) && !"gpu".equals(type)) {
            throw new IllegalArgumentException("device type must be cpu or gpu, got '" + type + "'");
        }
        if ("gpu".equals(type) && index < 0) {
            throw new IllegalArgumentException("gpu index must be >= 0, got " + index);
        }
        if ("cpu".equals(type)) {
            index = -1;
        }
    }

    public static DeviceSpec gpu(int index) {
        return new DeviceSpec("gpu", index);
    }

    /** Parses {@code cpu}, {@code gpu}, {@code gpu:N}, {@code cuda:N}; the message names the bad value. */
    public static DeviceSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("device: empty value; expected cpu or gpu:N");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("gpu") || s.equals("cuda")) {
            return gpu(0);
        }
        int colon = s.indexOf(':');
        if (colon > 0 && (s.startsWith("gpu") || s.startsWith("cuda")) && s.substring(0, colon).matches("gpu|cuda")) {
            int index;
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + text + "': index is not an integer");
            }
            if (index < 0) {
                throw new IllegalArgumentException("device '" + text + "': gpu index must be >= 0");
            }
            return gpu(index);
        }
        throw new IllegalArgumentException("device '" + text + "' not understood; expected cpu or gpu:N");
    }

    public boolean isGpu() {
        return "gpu".equals(type);
    }

    /** The DJL device; never DJL's default (which silently picks gpu(0) whenever CUDA is visible). */
    public Device toDevice() {
        return isGpu() ? Device.gpu(index) : Device.cpu();
    }

    @Override
    public String toString() {
        return isGpu() ? "gpu:" + index : "cpu";
    }
}
