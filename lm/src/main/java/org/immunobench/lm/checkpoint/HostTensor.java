package org.immunobench.lm.checkpoint;

import java.util.Arrays;

/**
 * A named tensor held in Java memory as float32, row-major, before it reaches (or after it leaves) the engine.
 * Checkpoint dtypes F16/BF16/F64 are widened or narrowed to this on read, so BF16 never reaches DJL
 * (docs/engine-notes.md: BF16 aborts the JVM).
 */
public record HostTensor(String name, long[] shape, float[] data) {
    public HostTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + ": negative dimension in "
                        + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values but data has " + data.length);
        }
        shape = shape.clone();
    }

    public long numel() {
        return data.length;
    }

    @Override
    public String toString() {
        return "HostTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
