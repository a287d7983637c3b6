package org.immunobench.lm.generate;

import java.util.Arrays;
import java.util.Random;

/** Picking the next token from one row of logits: argmax, or temperature + top-p sampling. */
public final class TokenChoice {
    private TokenChoice() {
    }

    /** Index of the largest logit in [offset, offset + n), lowest index on ties. */
    public static int argmax(float[] logits, int offset, int n) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /**
     * Samples from softmax(logits / temperature) restricted to the nucleus: tokens in descending probability until
     * their mass reaches topP (at least one token). Uses exactly one {@code random.nextDouble()} per call.
     */
    public static int sample(float[] logits, int offset, int n, double temperature, double topP, Random random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] probs = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = Math.exp((logits[offset + i] - max) / temperature);
            total += probs[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            probs[i] /= total;
        }
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int keep = 0;
        double mass = 0;
        while (keep < n && (keep == 0 || mass < topP)) {
            mass += probs[order[keep]];
            keep++;
        }
        double u = random.nextDouble() * mass;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += probs[order[i]];
            if (u < acc) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
