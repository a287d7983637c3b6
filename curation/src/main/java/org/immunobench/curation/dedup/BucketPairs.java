package org.immunobench.curation.dedup;

/**
 * Candidate pairs of one MinHash bucket (the rows that share one band key), with the size guard.
 *
 * <p>Members are row hashes sorted ascending. A bucket of n ≤ cap members yields every pair; a bigger one yields every
 * pair among its first {@code cap} members and pairs each further member only with the first member (of the other
 * side, in cross mode), so a bucket costs O(cap² + n) instead of O(n²). Callers count the members beyond the cap.
 */
final class BucketPairs {
    private BucketPairs() {
    }

    @FunctionalInterface
    interface Sink {
        void accept(long a, long b);
    }

    /**
     * Self mode (near duplicates within one corpus): pairs (a, b) with a < b. Equal hashes (the same id twice) are not
     * paired. Returns the number of members beyond the cap.
     */
    static int self(long[] members, int n, int cap, Sink sink) {
        int full = Math.min(n, cap);
        for (int i = 0; i < full; i++) {
            for (int j = i + 1; j < full; j++) {
                if (members[i] != members[j]) {
                    sink.accept(members[i], members[j]);
                }
            }
        }
        for (int i = full; i < n; i++) {
            if (members[i] != members[0]) {
                sink.accept(members[0], members[i]);
            }
        }
        return n - full;
    }

    /**
     * Cross mode (decontamination): pairs (evalMember, trainMember) only. Equal hashes on both sides are paired:
     * they are the same id in an eval and a training split, an exact leak. Returns the number of members beyond the
     * cap.
     */
    static int cross(long[] members, boolean[] isEval, int n, int cap, Sink sink) {
        int full = Math.min(n, cap);
        for (int i = 0; i < full; i++) {
            if (!isEval[i]) {
                continue;
            }
            for (int j = 0; j < full; j++) {
                if (!isEval[j]) {
                    sink.accept(members[i], members[j]);
                }
            }
        }
        if (n > full) {
            int firstEval = -1;
            int firstTrain = -1;
            for (int i = 0; i < n && (firstEval < 0 || firstTrain < 0); i++) {
                if (isEval[i] && firstEval < 0) {
                    firstEval = i;
                } else if (!isEval[i] && firstTrain < 0) {
                    firstTrain = i;
                }
            }
            for (int i = full; i < n; i++) {
                if (isEval[i] && firstTrain >= 0) {
                    sink.accept(members[i], members[firstTrain]);
                } else if (!isEval[i] && firstEval >= 0) {
                    sink.accept(members[firstEval], members[i]);
                }
            }
        }
        return n - full;
    }
}
