package org.immunobench.curation.dedup;

import java.util.Set;

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B| of shingle sets; the verification step behind every MinHash candidate. */
public final class Jaccard {
    private Jaccard() {
    }

    /** Jaccard of the shingle sets of two texts (each normalised by {@link Shingles}). */
    public static double of(String textA, String textB, int shingleSize) {
        return of(Shingles.of(textA, shingleSize), Shingles.of(textB, shingleSize));
    }

    /** Two empty sets are identical (1.0). */
    public static double of(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        int common = 0;
        for (String s : small) {
            if (large.contains(s)) {
                common++;
            }
        }
        return (double) common / (a.size() + b.size() - common);
    }
}
