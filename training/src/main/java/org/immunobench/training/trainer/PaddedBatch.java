package org.immunobench.training.trainer;

import java.util.List;

/**
 * A micro-batch as flat host arrays, right-padded to T = longest example − 1. Row b holds inputs tokens[0..n−2] of
 * its example; position j predicts tokens[j + 1] and enters the loss only when that token is a target. Pad
 * positions have attention 0 and are never targets; pad id 0 is arbitrary, since a pad key gets attention weight
 * exactly 0 and its query output is never read, so the pad embedding receives no gradient.
 *
 * @param inputs (B·T) token ids
 * @param attention (B·T) 1 = real token, 0 = pad
 * @param targetPositions (N) flat indices b·T + j of the positions that carry loss
 * @param targetTokens (N) the token each of those positions must predict
 * @param realTokens non-pad input positions, Σ (n_b − 1)
 */
public record PaddedBatch(int rows, int length, long[] inputs, float[] attention, long[] targetPositions,
        long[] targetTokens, long realTokens) {
    static final int PAD = 0;

    public static PaddedBatch of(List<TrainingExample> examples) {
        int rows = examples.size();
        int length = 0;
        int targets = 0;
        for (TrainingExample e : examples) {
            length = Math.max(length, e.length() - 1);
            targets += e.lossTokens();
        }
        long[] inputs = new long[rows * length];
        float[] attention = new float[rows * length];
        long[] positions = new long[targets];
        long[] tokens = new long[targets];
        long real = 0;
        int k = 0;
        for (int b = 0; b < rows; b++) {
            TrainingExample e = examples.get(b);
            for (int j = 0; j < e.length() - 1; j++) {
                inputs[b * length + j] = e.token(j);
                attention[b * length + j] = 1f;
                if (e.isTarget(j + 1)) {
                    positions[k] = (long) b * length + j;
                    tokens[k] = e.token(j + 1);
                    k++;
                }
            }
            real += e.length() - 1;
        }
        return new PaddedBatch(rows, length, inputs, attention, positions, tokens, real);
    }

    public int lossTokens() {
        return targetTokens.length;
    }
}
