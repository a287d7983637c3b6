package org.immunobench.curation.dedup;

/**
 * A 64-bit mixing hash of UTF-16 text (Murmur3-style block mixing, four chars per 64-bit block, then the fmix64
 * finaliser). Deterministic across JVMs and runs, unlike {@link String#hashCode}, whose 32 bits and weak mixing would
 * make unrelated shingles collide in a million-row corpus.
 */
final class Hash64 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long SEED = 0x9e3779b97f4a7c15L;

    private Hash64() {
    }

    /** Hash of {@code s[from, to)}. */
    static long of(CharSequence s, int from, int to) {
        long h = SEED;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            long k = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            h ^= mixBlock(k);
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        long k = 0;
        for (int shift = 0; i < to; i++, shift += 16) {
            k |= (long) s.charAt(i) << shift;
        }
        h ^= mixBlock(k);
        return fmix(h ^ (to - from));
    }

    static long of(CharSequence s) {
        return of(s, 0, s.length());
    }

    /** Murmur3's 64-bit finaliser: every input bit affects every output bit. */
    static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Stream of well-mixed 64-bit values from a seed (SplitMix64); {@code state[0]} is advanced. */
    static long next(long[] state) {
        state[0] += SEED;
        long z = state[0];
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long mixBlock(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        return k * C2;
    }
}
