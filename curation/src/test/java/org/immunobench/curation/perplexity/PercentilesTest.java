package org.immunobench.curation.perplexity;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Percentiles and bucket labels; expected values from numpy.percentile(v, p) (method="linear"). */
class PercentilesTest {
    @Test
    void linearInterpolationLikeNumpy() {
        double[] v = {15, 20, 35, 40, 50};
        // numpy.percentile([15, 20, 35, 40, 50], [0, 30, 40, 60, 100]) = [15, 23, 29, 37, 50]
        assertArrayEquals(new double[]{15, 23, 29, 37, 50}, Percentiles.of(v, new double[]{0, 30, 40, 60, 100}),
                1e-12);
        assertArrayEquals(new double[]{7, 7}, Percentiles.of(new double[]{7}, new double[]{30, 60}), 0);
        double[] unsorted = {50, 15, 40, 20, 35};
        assertEquals(23, Percentiles.of(unsorted, new double[]{30})[0], 1e-12);
        assertEquals(50, unsorted[0], "input untouched");
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[0], new double[]{30}));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(v, new double[]{101}));
    }

    @Test
    void bucketsFollowCutoffsAndTiesShareABucket() {
        BucketScheme s = BucketScheme.defaults();
        double[] cut = {23, 37};
        assertEquals("head", s.label(15, cut));
        assertEquals("middle", s.label(23, cut), "a value at the cut-off belongs above it");
        assertEquals("middle", s.label(36.9, cut));
        assertEquals("tail", s.label(37, cut));
        assertEquals("tail", s.label(1e9, cut));
        double[] ties = {5, 5};
        assertEquals("tail", s.label(5, ties));
        assertEquals("head", s.label(4.99, ties));
        assertThrows(IllegalArgumentException.class, () -> s.label(1, new double[]{1}));
    }

    @Test
    void smallGroupsAreNotBucketed() {
        BucketScheme s = new BucketScheme(List.of(50.0), null, 3);
        assertEquals(List.of("b0", "b1"), s.labels());
        GroupPercentiles small = new GroupPercentiles("src", "d", 2, List.of(50.0), List.of(10.0));
        GroupPercentiles big = new GroupPercentiles("src", "d", 3, List.of(50.0), List.of(10.0));
        assertEquals(BucketScheme.SMALL_GROUP, PerplexityBuckets.label(s, small, 1));
        assertEquals("b0", PerplexityBuckets.label(s, big, 1));
        assertEquals("b1", PerplexityBuckets.label(s, big, 10));
        assertThrows(IllegalArgumentException.class, () -> big.at(30.0));
        assertThrows(IllegalArgumentException.class, () -> new BucketScheme(List.of(30.0, 60.0),
                List.of("head", "all", "tail"), 1));
    }
}
