package org.immunobench.jobs.search;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    @Test
    void pointsAreSeededStableUnderMoreTrialsAndInsideTheCube() {
        for (String kind : Sampler.KINDS) {
            List<double[]> a = new Sampler(kind, 3, 5).points(32);
            List<double[]> b = new Sampler(kind, 3, 5).points(16);
            for (int i = 0; i < 16; i++) {
                assertArrayEquals(a.get(i), b.get(i), kind + " point " + i);
            }
            for (double[] p : a) {
                for (double x : p) {
                    assertTrue(x >= 0 && x < 1, kind + ": " + x);
                }
            }
            List<double[]> other = new Sampler(kind, 3, 6).points(16);
            assertFalse(java.util.Arrays.equals(a.get(0), other.get(0)), kind + ": another seed, another design");
        }
    }

    /** Sobol's first 2^k points put exactly one point in each 1/2^k-wide slice of every axis; random ones do not. */
    @Test
    void sobolPointsStratifyEachAxis() {
        List<double[]> sobol = new Sampler("sobol", 4, 11).points(16);
        for (int d = 0; d < 4; d++) {
            int[] counts = new int[16];
            for (double[] p : sobol) {
                counts[(int) (p[d] * 16)]++;
            }
            for (int c : counts) {
                assertEquals(1, c, "axis " + d);
            }
        }
        List<double[]> random = new Sampler("random", 4, 11).points(16);
        int[] counts = new int[16];
        random.forEach(p -> counts[(int) (p[0] * 16)]++);
        assertTrue(java.util.Arrays.stream(counts).anyMatch(c -> c != 1));
    }

    @Test
    void badSamplersAreNamed() {
        assertEquals("sampler 'tpe' is unknown; known: [random, sobol, halton]",
                assertThrows(IllegalArgumentException.class, () -> new Sampler("tpe", 2, 0)).getMessage());
    }
}
