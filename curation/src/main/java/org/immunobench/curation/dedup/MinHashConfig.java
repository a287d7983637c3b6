package org.immunobench.curation.dedup;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Parameters of banded MinHash near-duplicate detection (docs/methods, near-duplicate removal). Rows whose texts share
 * all {@code rows} signature entries of at least one of {@code bands} bands become candidates; candidates are then kept
 * only if their exact shingle Jaccard is at least {@code jaccardThreshold}.
 *
 * <p>The banding alone has an S-curve P(candidate | J = s) = 1 − (1 − s^r)^b whose midpoint is about
 * (1/b)^(1/r). The default 16 × 8 = 128 permutations puts it at (1/16)^(1/8) ≈ 0.707, below the 0.8 verification
 * threshold on purpose: P(candidate) is 0.95 at J = 0.8 and 0.994 at J = 0.85, and false candidates cost only a
 * Jaccard computation. (DataTrove uses 14 × 8 ≈ 0.72, RedPajama 9 × 13 ≈ 0.8.)
 *
 * @param shingleSize words per shingle; texts with fewer words form one shingle
 * @param bands b, number of bands (each one a candidate bucket key)
 * @param rows r, signature entries per band; b·r permutations in all
 * @param jaccardThreshold a candidate pair is a near duplicate when its exact Jaccard is at least this
 * @param seed seeds the permutations and band keys; same seed, same result
 * @param maxBucketSize a bucket with more members pairs only its first this-many (by row hash) with each other; the
 *     rest pair only with the bucket's first member. Counted and logged, never silent.
 */
public record MinHashConfig(int shingleSize, int bands, int rows, double jaccardThreshold, long seed,
        int maxBucketSize) implements Serializable {

    public static final int DEFAULT_SHINGLE_SIZE = 5;
    public static final int DEFAULT_BANDS = 16;
    public static final int DEFAULT_ROWS = 8;
    public static final double DEFAULT_JACCARD = 0.8;
    public static final long DEFAULT_SEED = 1L;
    public static final int DEFAULT_MAX_BUCKET_SIZE = 1000;
    /** Caps the signature length: 128 is the usual choice, thousands only cost time. */
    public static final int MAX_PERMUTATIONS = 4096;

    /** Keys of {@link #fromMap}, as they appear in a config file. */
    public static final List<String> KEYS = List.of("shingle_size", "bands", "rows", "jaccard_threshold", "seed",
            "max_bucket_size");

    public MinHashConfig {
        if (shingleSize < 1) {
            throw new IllegalArgumentException("shingle_size must be >= 1, got " + shingleSize);
        }
        if (bands < 1) {
            throw new IllegalArgumentException("bands must be >= 1, got " + bands);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        if ((long) bands * rows > MAX_PERMUTATIONS) {
            throw new IllegalArgumentException("bands * rows must be <= " + MAX_PERMUTATIONS + ", got bands=" + bands
                    + " rows=" + rows);
        }
        if (!(jaccardThreshold > 0.0 && jaccardThreshold <= 1.0)) {
            throw new IllegalArgumentException("jaccard_threshold must be in (0, 1], got " + jaccardThreshold);
        }
        if (maxBucketSize < 2) {
            throw new IllegalArgumentException("max_bucket_size must be >= 2, got " + maxBucketSize);
        }
    }

    public static MinHashConfig defaults() {
        return new MinHashConfig(DEFAULT_SHINGLE_SIZE, DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_JACCARD, DEFAULT_SEED,
                DEFAULT_MAX_BUCKET_SIZE);
    }

    /**
     * From a config section; missing keys take defaults, unknown keys are an error naming them.
     * Values may be numbers or numeric strings.
     */
    public static MinHashConfig fromMap(Map<String, ?> section) {
        TreeSet<String> unknown = new TreeSet<>(section.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown dedup key(s) " + unknown + "; known: " + KEYS);
        }
        Map<String, Object> v = new LinkedHashMap<>(section);
        return new MinHashConfig(
                intValue(v, "shingle_size", DEFAULT_SHINGLE_SIZE),
                intValue(v, "bands", DEFAULT_BANDS),
                intValue(v, "rows", DEFAULT_ROWS),
                doubleValue(v, "jaccard_threshold", DEFAULT_JACCARD),
                longValue(v, "seed", DEFAULT_SEED),
                intValue(v, "max_bucket_size", DEFAULT_MAX_BUCKET_SIZE));
    }

    public int numPermutations() {
        return bands * rows;
    }

    /** (1/b)^(1/r): the Jaccard at which the banding makes a pair a candidate with probability about one half. */
    public double bandingThreshold() {
        return Math.pow(1.0 / bands, 1.0 / rows);
    }

    /** 1 − (1 − s^r)^b: probability that a pair with Jaccard s shares at least one band key. */
    public double candidateProbability(double jaccard) {
        return 1.0 - Math.pow(1.0 - Math.pow(jaccard, rows), bands);
    }

    public MinHashConfig withSeed(long s) {
        return new MinHashConfig(shingleSize, bands, rows, jaccardThreshold, s, maxBucketSize);
    }

    public MinHashConfig withJaccardThreshold(double t) {
        return new MinHashConfig(shingleSize, bands, rows, t, seed, maxBucketSize);
    }

    public MinHashConfig withMaxBucketSize(int m) {
        return new MinHashConfig(shingleSize, bands, rows, jaccardThreshold, seed, m);
    }

    private static int intValue(Map<String, Object> v, String key, int dflt) {
        long x = longValue(v, key, dflt);
        if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " out of int range: " + x);
        }
        return (int) x;
    }

    private static long longValue(Map<String, Object> v, String key, long dflt) {
        Object o = v.get(key);
        if (o == null) {
            return dflt;
        }
        if (o instanceof Integer || o instanceof Long || o instanceof Short) {
            return ((Number) o).longValue();
        }
        try {
            return Long.parseLong(o.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + o + "'", e);
        }
    }

    private static double doubleValue(Map<String, Object> v, String key, double dflt) {
        Object o = v.get(key);
        if (o == null) {
            return dflt;
        }
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(o.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + o + "'", e);
        }
    }
}
