package org.immunobench.curation.dedup;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ShinglesJaccardTest {
    @Test
    void normaliseLowercasesAndCollapsesWhitespace() {
        assertEquals("how do i fix it?", Shingles.normalise("  How\tdo\n\nI  FIX\u00a0it?  "));
        assertEquals("", Shingles.normalise(" \t\n"));
        assertEquals("a b", Shingles.dedupText("A", "b"));
        assertEquals("a", Shingles.dedupText("A", ""));
    }

    @Test
    void wordShinglesOfSizeK() {
        assertEquals(Set.of("a b c", "b c d", "c d e"), Shingles.of("a b c d e", 3));
        assertEquals(Set.of("a b c d e"), Shingles.of("a b c d e", 5));
        // Fewer words than k: one shingle, the whole text; empty text: the empty shingle.
        assertEquals(Set.of("a b"), Shingles.of("A  b", 5));
        assertEquals(Set.of(""), Shingles.of("", 5));
        // Repeated shingles count once.
        assertEquals(Set.of("x x"), Shingles.of("x x x x", 2));
    }

    @Test
    void jaccardOfKnownEdits() {
        String base = words(20);
        assertEquals(1.0, Jaccard.of(base, base.toUpperCase(), 5));
        // 20 words → 16 shingles; one interior substitution replaces 5 of them: 11 / (16 + 5).
        String sub = base.replace("w10", "zz");
        assertEquals(11.0 / 21.0, Jaccard.of(base, sub, 5), 1e-12);
        // Dropping the last word removes one shingle: 15 / 16.
        assertEquals(15.0 / 16.0, Jaccard.of(base, base.substring(0, base.lastIndexOf(' ')), 5), 1e-12);
        assertEquals(0.0, Jaccard.of(base, words(20).replace("w", "v"), 5));
        assertEquals(1.0, Jaccard.of("", " ", 5));
        assertEquals(Jaccard.of(base, sub, 3), Jaccard.of(sub, base, 3));
    }

    @Test
    void hash64IsDeterministicAndSpreads() {
        assertEquals(Hash64.of("the quick brown fox jumps"), Hash64.of("xthe quick brown fox jumps", 1, 26));
        assertNotEquals(Hash64.of("ab"), Hash64.of("ba"));
        assertNotEquals(Hash64.of(""), Hash64.of("\0"));
        Set<Long> hashes = IntStream.range(0, 100_000).mapToObj(i -> Hash64.of("w" + i + " x"))
                .collect(Collectors.toSet());
        assertEquals(100_000, hashes.size());
    }

    static String words(int n) {
        return IntStream.range(0, n).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
    }
}
