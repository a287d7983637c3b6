package org.immunobench.curation.dedup;

import java.io.Serializable;
import java.util.Arrays;

/**
 * MinHash signatures and band keys of dedup texts. Legend: k = b·r permutations, b bands of r rows.
 *
 * <p>Each shingle is hashed to 64 bits ({@link Hash64}) and reduced to x in [0, p) with p = 2^61 − 1; permutation i
 * is the universal hash h_i(x) = (a_i·x + b_i) mod p with seeded a_i in [1, p), b_i in [0, p), and signature entry i
 * is min over shingles of h_i. The Mersenne prime makes the 122-bit product reducible with shifts and adds.
 * Band j's key hashes its r entries together with j, so equal entries in different bands never share a bucket.
 */
public final class MinHasher implements Serializable {
    static final long P = (1L << 61) - 1;

    private final int shingleSize;
    private final int bands;
    private final int rows;
    private final long[] a;
    private final long[] b;
    private final long bandSalt;

    public MinHasher(MinHashConfig config) {
        this.shingleSize = config.shingleSize();
        this.bands = config.bands();
        this.rows = config.rows();
        int k = config.numPermutations();
        this.a = new long[k];
        this.b = new long[k];
        long[] state = {config.seed()};
        for (int i = 0; i < k; i++) {
            a[i] = 1 + Long.remainderUnsigned(Hash64.next(state), P - 1);
            b[i] = Long.remainderUnsigned(Hash64.next(state), P);
        }
        this.bandSalt = Hash64.next(state);
    }

    /** Signature of a corpus row's dedup text ({@link Shingles#dedupText}). */
    public long[] signature(String prompt, String response) {
        return signatureOfNormalised(Shingles.dedupText(prompt, response));
    }

    /** Signature of any text (normalised here); k entries, each in [0, 2^61 − 1). */
    public long[] signature(String text) {
        return signatureOfNormalised(Shingles.normalise(text));
    }

    long[] signatureOfNormalised(String norm) {
        long[][] xs = {new long[Math.max(1, norm.length() / 4)]};
        int[] n = {0};
        Shingles.forEach(norm, shingleSize, (s, e) -> {
            if (n[0] == xs[0].length) {
                xs[0] = Arrays.copyOf(xs[0], 2 * n[0]);
            }
            xs[0][n[0]++] = reduce(Hash64.of(norm, s, e));
        });
        long[] x = xs[0];
        int count = n[0];
        long[] sig = new long[a.length];
        // Permutation-major with the running min in a register: about twice as fast as shingle-major here.
        for (int i = 0; i < sig.length; i++) {
            long ai = a[i];
            long bi = b[i];
            long min = P;
            for (int j = 0; j < count; j++) {
                long h = permute(ai, bi, x[j]);
                if (h < min) {
                    min = h;
                }
            }
            sig[i] = min;
        }
        return sig;
    }

    /** (a·x + b) mod p for a, b, x in [0, p), with one final reduction. */
    static long permute(long a, long b, long x) {
        long lo = a * x;
        long hi = Math.multiplyHigh(a, x);
        // a·x = hi·2^64 + lo < 2^122; split at bit 61 and use 2^61 ≡ 1 (mod p). Each part and b are < 2^61.
        long r = (lo & P) + ((lo >>> 61) | (hi << 3)) + b;
        r = (r & P) + (r >>> 61);
        return r >= P ? r - P : r;
    }

    /** b bucket keys, one per band. */
    public long[] bandKeys(long[] signature) {
        if (signature.length != a.length) {
            throw new IllegalArgumentException("signature has " + signature.length + " entries, expected "
                    + a.length);
        }
        long[] keys = new long[bands];
        for (int j = 0; j < bands; j++) {
            long h = Hash64.fmix(bandSalt ^ (j + 1) * 0x9e3779b97f4a7c15L);
            for (int i = j * rows; i < (j + 1) * rows; i++) {
                h = Hash64.fmix(h ^ signature[i]) + i;
            }
            keys[j] = h;
        }
        return keys;
    }

    /** Fraction of equal entries: an unbiased estimate of the Jaccard of the underlying shingle sets. */
    public static double estimatedJaccard(long[] s1, long[] s2) {
        if (s1.length != s2.length) {
            throw new IllegalArgumentException("signature lengths differ: " + s1.length + " vs " + s2.length);
        }
        int eq = 0;
        for (int i = 0; i < s1.length; i++) {
            if (s1[i] == s2[i]) {
                eq++;
            }
        }
        return (double) eq / s1.length;
    }

    public int numPermutations() {
        return a.length;
    }

    /** x mod p for any 64-bit x (taken unsigned). */
    static long reduce(long x) {
        long r = (x & P) + (x >>> 61);
        return r >= P ? r - P : r;
    }
}
