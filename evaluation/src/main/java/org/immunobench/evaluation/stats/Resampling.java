package org.immunobench.evaluation.stats;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Where the bootstrap's randomness comes from. Every draw is a pure function of (seed, replicate, what is drawn):
 * the generator of replicate b for a prompt pool or a seed group is seeded from the three, so a replicate is the
 * same whichever Spark task computes it, in whatever order, and adding a checkpoint to a run does not change the
 * draws of the others.
 */
final class Resampling {
    private Resampling() {
    }

    static SplittableRandom rng(long seed, int replicate, String key) {
        long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
        h = fmix(h + replicate);
        h = fmix(h ^ fnv(key));
        return new SplittableRandom(h);
    }

    /**
     * How often each prompt of a pool is drawn in one replicate: within each stratum of m prompts, m draws with
     * replacement (stratified: the pool's strata keep their sizes, as the prompt sets were built a fixed number per
     * domain).
     */
    static int[] stratifiedCounts(int size, int[][] strata, SplittableRandom rng) {
        int[] counts = new int[size];
        for (int[] stratum : strata) {
            for (int i = 0; i < stratum.length; i++) {
                counts[stratum[rng.nextInt(stratum.length)]]++;
            }
        }
        return counts;
    }

    /** MurmurHash3's 64-bit finaliser: spreads nearby seeds and replicate numbers over the whole range. */
    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** 64-bit FNV-1a of the key's UTF-8 bytes (String.hashCode is only 32 bits). */
    static long fnv(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
