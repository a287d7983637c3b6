package org.immunobench.curation.dedup;

import java.io.Serializable;

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
 * <p>Config keys ({@code dedup:} of the curate config) are the components in snake_case; every one is optional.
 *
 * @param shingleSize words per shingle; texts with fewer words form one shingle
 * @param bands b, number of bands (each one a candidate bucket key)
 * @param rows r, signature entries per band; b·r permutations in all
 * @param jaccardThreshold a candidate pair is a near duplicate when its exact Jaccard is at least this
 * @param seed seeds the permutations and band keys; same seed, same result
 * @param maxBucketSize a bucket with more members pairs only its first this-many (by row hash) with each other; the
 *     rest pair only with the bucket's first member. Counted and logged, never silent.
 */
public record MinHashConfig(Integer shingleSize, Integer bands, Integer rows, Double jaccardThreshold, Long seed,
        Integer maxBucketSize) implements Serializable {

    private static final int DEFAULT_SHINGLE_SIZE = 5;
    private static final int DEFAULT_BANDS = 16;
    private static final int DEFAULT_ROWS = 8;
    private static final double DEFAULT_JACCARD = 0.8;
    private static final long DEFAULT_SEED = 1L;
    private static final int DEFAULT_MAX_BUCKET_SIZE = 1000;
    /** Caps the signature length: 128 is the usual choice, thousands only cost time. */
    public static final int MAX_PERMUTATIONS = 4096;

    /** Null components take their defaults. */
    public MinHashConfig {
        shingleSize = shingleSize == null ? DEFAULT_SHINGLE_SIZE : shingleSize;
        bands = bands == null ? DEFAULT_BANDS : bands;
        rows = rows == null ? DEFAULT_ROWS : rows;
        jaccardThreshold = jaccardThreshold == null ? DEFAULT_JACCARD : jaccardThreshold;
        seed = seed == null ? DEFAULT_SEED : seed;
        maxBucketSize = maxBucketSize == null ? DEFAULT_MAX_BUCKET_SIZE : maxBucketSize;
        if (shingleSize < 1) {
            throw new IllegalArgumentException("shingle_size: must be >= 1, got " + shingleSize);
        }
        if (bands < 1) {
            throw new IllegalArgumentException("bands: must be >= 1, got " + bands);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows: must be >= 1, got " + rows);
        }
        if ((long) bands * rows > MAX_PERMUTATIONS) {
            throw new IllegalArgumentException("bands: bands * rows must be <= " + MAX_PERMUTATIONS + ", got bands="
                    + bands + " rows=" + rows);
        }
        if (!(jaccardThreshold > 0.0 && jaccardThreshold <= 1.0)) {
            throw new IllegalArgumentException("jaccard_threshold: must be in (0, 1], got " + jaccardThreshold);
        }
        if (maxBucketSize < 2) {
            throw new IllegalArgumentException("max_bucket_size: must be >= 2, got " + maxBucketSize);
        }
    }

    public static MinHashConfig defaults() {
        return new MinHashConfig(null, null, null, null, null, null);
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
}
