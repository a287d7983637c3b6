package org.immunobench.curation.dedup;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BucketPairsTest {
    @Test
    void selfModePairsEveryoneWithinTheCap() {
        List<String> out = new ArrayList<>();
        int over = BucketPairs.self(new long[]{1, 2, 3}, 3, 10, (a, b) -> out.add(a + "-" + b));
        assertEquals(List.of("1-2", "1-3", "2-3"), out);
        assertEquals(0, over);
    }

    @Test
    void selfModeBeyondTheCapPairsWithTheFirstMemberOnly() {
        List<String> out = new ArrayList<>();
        int over = BucketPairs.self(new long[]{1, 2, 3, 4, 5}, 5, 3, (a, b) -> out.add(a + "-" + b));
        assertEquals(List.of("1-2", "1-3", "2-3", "1-4", "1-5"), out);
        assertEquals(2, over);
    }

    @Test
    void selfModeSkipsRepeatedHashes() {
        List<String> out = new ArrayList<>();
        BucketPairs.self(new long[]{7, 7, 9}, 3, 10, (a, b) -> out.add(a + "-" + b));
        assertEquals(List.of("7-9", "7-9"), out);
    }

    @Test
    void crossModePairsEvalWithTrainingOnly() {
        List<String> out = new ArrayList<>();
        long[] m = {1, 2, 3, 4};
        boolean[] eval = {true, false, true, false};
        int over = BucketPairs.cross(m, eval, 4, 10, (a, b) -> out.add(a + "-" + b));
        assertEquals(List.of("1-2", "1-4", "3-2", "3-4"), out);
        assertEquals(0, over);
        out.clear();
        // Same hash on both sides is an exact leak and is paired.
        BucketPairs.cross(new long[]{5, 5}, new boolean[]{true, false}, 2, 10, (a, b) -> out.add(a + "-" + b));
        assertEquals(List.of("5-5"), out);
    }

    @Test
    void crossModeBeyondTheCapPairsWithTheFirstOfTheOtherSide() {
        List<String> out = new ArrayList<>();
        long[] m = {1, 2, 3, 4, 5};
        boolean[] eval = {false, true, false, true, false};
        int over = BucketPairs.cross(m, eval, 5, 2, (a, b) -> out.add(a + "-" + b));
        // Within the cap: (2, 1). Beyond: 3 (train) → first eval 2; 4 (eval) → first train 1; 5 (train) → 2.
        assertEquals(List.of("2-1", "2-3", "4-1", "2-5"), out);
        assertEquals(3, over);
    }
}
