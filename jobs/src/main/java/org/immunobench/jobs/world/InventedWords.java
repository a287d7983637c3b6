package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

/**
 * Pronounceable invented words of three consonant-vowel syllables ({@code zokima}, {@code vulepa}), drawn without
 * repeats from a seeded stream. No English word of the toy grammar has this shape, so none can be drawn.
 */
final class InventedWords {
    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";
    // Most real English words of this shape end in a silent 'e' (debate, relate); never ending in one keeps clear.
    private static final String FINAL_VOWELS = "aiou";
    private static final int SYLLABLES = 3;

    private final Random rng;
    private final java.util.Set<String> used;

    InventedWords(Random rng) {
        this.rng = rng;
        this.used = new HashSet<>();
    }

    /** Whether {@code word} has the shape of an invented word. */
    static boolean hasInventedShape(String word) {
        if (word.length() != 2 * SYLLABLES) {
            return false;
        }
        for (int i = 0; i < word.length(); i += 2) {
            String vowels = i == word.length() - 2 ? FINAL_VOWELS : VOWELS;
            if (CONSONANTS.indexOf(word.charAt(i)) < 0 || vowels.indexOf(word.charAt(i + 1)) < 0) {
                return false;
            }
        }
        return true;
    }

    String next() {
        while (true) {
            StringBuilder w = new StringBuilder(2 * SYLLABLES);
            for (int s = 0; s < SYLLABLES; s++) {
                w.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
                String vowels = s == SYLLABLES - 1 ? FINAL_VOWELS : VOWELS;
                w.append(vowels.charAt(rng.nextInt(vowels.length())));
            }
            if (used.add(w.toString())) {
                return w.toString();
            }
        }
    }

    List<String> next(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }
}
