package org.immunobench.curation.dedup;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinHasherTest {
    private static final MinHashConfig CONFIG = MinHashConfig.defaults();

    @Test
    void mersenneArithmeticMatchesBigInteger() {
        BigInteger p = BigInteger.valueOf(MinHasher.P);
        SplittableRandom rnd = new SplittableRandom(3);
        long[] edge = {0, 1, 2, MinHasher.P - 1, MinHasher.P - 2, 1L << 60};
        for (int i = 0; i < 200_000; i++) {
            long a = i < 216 ? edge[i / 36] : rnd.nextLong(MinHasher.P);
            long b = i < 216 ? edge[i / 6 % 6] : rnd.nextLong(MinHasher.P);
            long x = i < 216 ? edge[i % 6] : rnd.nextLong(MinHasher.P);
            assertEquals(BigInteger.valueOf(a).multiply(BigInteger.valueOf(x)).add(BigInteger.valueOf(b)).mod(p)
                    .longValue(), MinHasher.permute(a, b, x), () -> a + " * " + x + " + " + b);
        }
        for (long x : new long[]{-1L, Long.MIN_VALUE, MinHasher.P, MinHasher.P + 1, 0x7fffffffffffffffL}) {
            assertEquals(new BigInteger(Long.toUnsignedString(x)).mod(p).longValue(), MinHasher.reduce(x));
        }
    }

    @Test
    void sameSeedSameSignatureOtherSeedOther() {
        String text = ShinglesJaccardTest.words(40);
        long[] s1 = new MinHasher(CONFIG).signature(text);
        long[] s2 = new MinHasher(CONFIG).signature(text);
        long[] s3 = new MinHasher(CONFIG.withSeed(2)).signature(text);
        assertArrayEquals(s1, s2);
        assertFalse(Arrays.equals(s1, s3));
        assertEquals(128, s1.length);
        assertTrue(Arrays.stream(s1).allMatch(v -> v >= 0 && v < MinHasher.P));
        assertArrayEquals(new MinHasher(CONFIG).bandKeys(s1), new MinHasher(CONFIG).bandKeys(s2));
        // Normalisation happens before hashing.
        assertArrayEquals(s1, new MinHasher(CONFIG).signature("  " + text.toUpperCase().replace(" ", "\n ")));
        assertArrayEquals(s1, new MinHasher(CONFIG).signature("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9",
                ShinglesJaccardTest.words(40).substring("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ".length())));
    }

    @Test
    void bandKeysMixInTheBandIndex() {
        MinHasher h = new MinHasher(CONFIG);
        long[] constant = new long[128];
        Arrays.fill(constant, 42);
        long[] keys = h.bandKeys(constant);
        assertEquals(16, keys.length);
        assertEquals(16, Arrays.stream(keys).distinct().count(), "equal bands must land in different buckets");
    }

    /** Signature agreement estimates Jaccard with standard error sqrt(J(1−J)/128) ≤ 0.044; allow 4 SE. */
    @Test
    void signatureAgreementEstimatesJaccard() {
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(11);
        MinHasher h = new MinHasher(CONFIG);
        double maxErr = 0;
        double sumErr = 0;
        int n = 0;
        for (int i = 0; i < 300; i++) {
            String[] base = corpus.base(i);
            String[] other = i % 2 == 0 ? corpus.nearVariant(base, i, 0.85, 5) : corpus.farVariant(base, i, 0.5, 5);
            String a = String.join(" ", base);
            String b = String.join(" ", other);
            double exact = Jaccard.of(a, b, 5);
            double est = MinHasher.estimatedJaccard(h.signature(a), h.signature(b));
            double err = Math.abs(est - exact);
            maxErr = Math.max(maxErr, err);
            sumErr += err;
            n++;
        }
        System.out.printf("MinHash estimate vs exact Jaccard over %d pairs: mean |err| %.4f, max |err| %.4f "
                + "(tolerance 0.176)%n", n, sumErr / n, maxErr);
        assertTrue(maxErr <= 0.176, "max error " + maxErr);
    }

    /** The banding alone (no Spark): planted J ≥ 0.85 pairs share a band key, J ≤ 0.5 pairs mostly do not. */
    @Test
    void bandingCandidateRatesFollowTheSCurve() {
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(12);
        MinHasher h = new MinHasher(CONFIG);
        int nearHits = 0;
        int farHits = 0;
        int pairs = 2000;
        for (int i = 0; i < pairs; i++) {
            String[] base = corpus.base(i);
            long[] kb = h.bandKeys(h.signature(String.join(" ", base)));
            long[] kn = h.bandKeys(h.signature(String.join(" ", corpus.nearVariant(base, i, 0.85, 5))));
            long[] kf = h.bandKeys(h.signature(String.join(" ", corpus.farVariant(base, i, 0.5, 5))));
            nearHits += shareBand(kb, kn) ? 1 : 0;
            farHits += shareBand(kb, kf) ? 1 : 0;
        }
        double nearRate = (double) nearHits / pairs;
        double farRate = (double) farHits / pairs;
        System.out.printf("banding 16x8: candidate rate %.4f for J>=0.85 (theory >= %.4f), %.4f for J<=0.5 "
                + "(theory <= %.4f)%n", nearRate, CONFIG.candidateProbability(0.85), farRate,
                CONFIG.candidateProbability(0.5));
        assertTrue(nearRate >= 0.98, "near candidate rate " + nearRate);
        assertTrue(farRate <= 0.1, "far candidate rate " + farRate);
    }

    private static boolean shareBand(long[] a, long[] b) {
        for (int j = 0; j < a.length; j++) {
            if (a[j] == b[j]) {
                return true;
            }
        }
        return false;
    }
}
