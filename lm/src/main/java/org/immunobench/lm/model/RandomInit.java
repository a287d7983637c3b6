package org.immunobench.lm.model;

import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.checkpoint.TensorLayout;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for any config: N(0, 0.02²) matrices (HF's initializer_range default), norms at 1, biases at
 * 0. Each tensor draws from its own generator seeded by (seed, name), so adding a tensor kind never changes the
 * others and the result does not depend on iteration order.
 */
public final class RandomInit {
    public static final double DEFAULT_STD = 0.02;

    private RandomInit() {
    }

    public static Map<String, HostTensor> weights(ModelConfig config, long seed) {
        return weights(config, seed, DEFAULT_STD);
    }

    public static Map<String, HostTensor> weights(ModelConfig config, long seed, double std) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TensorLayout.expected(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] data = new float[Math.toIntExact(n)];
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(data, 1f);
            } else if (!name.endsWith(".bias")) {
                SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (gaussian(rng) * std);
                }
            }
            out.put(name, new HostTensor(name, shape, data));
        }
        return out;
    }

    /** Box–Muller; SplittableRandom has no nextGaussian in Java 17. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
