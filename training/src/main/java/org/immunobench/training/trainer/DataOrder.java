package org.immunobench.training.trainer;

import java.util.Random;

/**
 * The seeded example order: an endless sequence of epochs, each a fresh Fisher–Yates permutation of 0..n−1 drawn
 * from one {@link Random}(seed). java.util.Random's generator is specified, so the order is the same on every JVM;
 * it depends only on n and the seed, not on batch size, so 1 × 2B and 2 × B see the same examples per update.
 */
final class DataOrder {
    private final int[] permutation;
    private final Random random;
    private int position;
    private int epoch = -1;

    DataOrder(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("no training examples");
        }
        this.permutation = new int[n];
        this.random = new Random(seed);
        this.position = n;
    }

    int next() {
        if (position == permutation.length) {
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = i;
            }
            for (int i = permutation.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            position = 0;
            epoch++;
        }
        return permutation[position++];
    }

    /** Epochs begun so far, 0-based (−1 before the first draw). */
    int epoch() {
        return epoch;
    }
}
