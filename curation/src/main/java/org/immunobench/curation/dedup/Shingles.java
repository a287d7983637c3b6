package org.immunobench.curation.dedup;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Word shingles of the dedup text. The dedup text of a corpus row is its prompt, a space and its response,
 * lower-cased with whitespace runs collapsed to single spaces and trimmed (Unicode NFKC is the normalise stage's job).
 * A shingle is {@code k} consecutive words; a text of fewer than {@code k} words (the empty text included) is one
 * shingle, the whole text. Not here: punctuation stripping, stemming, stop words.
 */
public final class Shingles {
    private Shingles() {
    }

    /** Receives each shingle as a {@code [start, end)} range of the normalised text. */
    @FunctionalInterface
    interface RangeConsumer {
        void accept(int start, int end);
    }

    /** The dedup text of a corpus row. */
    public static String dedupText(String prompt, String response) {
        return normalise((prompt == null ? "" : prompt) + " " + (response == null ? "" : response));
    }

    /** Lower-case (root locale), collapse whitespace runs to one space, trim. */
    public static String normalise(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        boolean pendingSpace = false;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (isSpace(c)) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Distinct shingles of {@code text} (normalised here). */
    public static Set<String> of(String text, int k) {
        String norm = normalise(text);
        Set<String> out = new HashSet<>();
        forEach(norm, k, (s, e) -> out.add(norm.substring(s, e)));
        return out;
    }

    /** Calls {@code sink} for every shingle (repeats included) of an already normalised text. */
    static void forEach(String norm, int k, RangeConsumer sink) {
        if (k < 1) {
            throw new IllegalArgumentException("shingle size must be >= 1, got " + k);
        }
        int n = norm.length();
        // Word i spans [start[i], end[i]); single spaces separate words in a normalised text.
        int words = n == 0 ? 0 : 1;
        for (int i = 0; i < n; i++) {
            if (norm.charAt(i) == ' ') {
                words++;
            }
        }
        if (words < k) {
            sink.accept(0, n);
            return;
        }
        int[] start = new int[words];
        int[] end = new int[words];
        int w = 0;
        start[0] = 0;
        for (int i = 0; i < n; i++) {
            if (norm.charAt(i) == ' ') {
                end[w] = i;
                start[++w] = i + 1;
            }
        }
        end[w] = n;
        for (int i = 0; i + k <= words; i++) {
            sink.accept(start[i], end[i + k - 1]);
        }
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
