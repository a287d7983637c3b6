package org.immunobench.lm.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups sequences of similar length into padded batches under a token budget (B × longest ≤ maxTokens and
 * B ≤ maxSize), longest first so memory peaks early. A sequence longer than the budget gets a batch of its own.
 * Ties keep input order, so the plan is deterministic.
 */
public final class LengthBatches {
    private LengthBatches() {
    }

    /** Index lists into {@code lengths}, one per batch. */
    public static List<int[]> plan(int[] lengths, int maxTokens, int maxSize) {
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> -lengths[i]).thenComparingInt(i -> i));
        List<int[]> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int longest = 0;
        for (int idx : order) {
            int len = lengths[idx];
            int newLongest = Math.max(longest, len);
            boolean fits = current.size() < maxSize && (long) newLongest * (current.size() + 1) <= maxTokens;
            if (!current.isEmpty() && !fits) {
                batches.add(current.stream().mapToInt(Integer::intValue).toArray());
                current = new ArrayList<>();
                newLongest = len;
            }
            current.add(idx);
            longest = newLongest;
        }
        if (!current.isEmpty()) {
            batches.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }
}
