package org.immunobench.training.trainer;

import java.util.Arrays;

/**
 * One training sequence and which of its tokens are trained on. {@code lossMask[i]} says whether token i is a
 * target, i.e. whether −log p(tokens[i] | tokens[&lt;i]) enters the loss; {@code lossMask[0]} must be false (nothing
 * predicts the first token). Prompts and padding are never targets (durability checklist item 5 in docs/methods: the
 * original attack code trained on prompt and pad tokens). The caller appends EOS to the response; nothing is added
 * here.
 */
public record TrainingExample(int[] tokens, boolean[] lossMask) {
    public TrainingExample {
        if (tokens == null || lossMask == null) {
            throw new IllegalArgumentException("example.tokens and example.loss_mask must be set");
        }
        if (tokens.length < 2) {
            throw new IllegalArgumentException("example.tokens needs at least 2 tokens, got " + tokens.length);
        }
        if (lossMask.length != tokens.length) {
            throw new IllegalArgumentException("example.loss_mask has " + lossMask.length + " entries for "
                    + tokens.length + " tokens");
        }
        if (lossMask[0]) {
            throw new IllegalArgumentException("example.loss_mask[0] must be false: no position predicts token 0");
        }
        int targets = 0;
        for (boolean b : lossMask) {
            targets += b ? 1 : 0;
        }
        if (targets == 0) {
            throw new IllegalArgumentException("example.loss_mask marks no target token");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0) {
                throw new IllegalArgumentException("example.tokens[" + i + "] is negative: " + tokens[i]);
            }
        }
        tokens = tokens.clone();
        lossMask = lossMask.clone();
    }

    /** Prompt then response; loss on the response tokens only. */
    public static TrainingExample promptResponse(int[] prompt, int[] response) {
        int[] tokens = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(response, 0, tokens, prompt.length, response.length);
        return lossFrom(tokens, prompt.length);
    }

    /** Loss on tokens[from..]; {@code from} ≥ 1. */
    public static TrainingExample lossFrom(int[] tokens, int from) {
        if (from < 1 || from >= tokens.length) {
            throw new IllegalArgumentException("example.loss_from must be in [1, " + tokens.length + "), got " + from);
        }
        boolean[] mask = new boolean[tokens.length];
        Arrays.fill(mask, from, tokens.length, true);
        return new TrainingExample(tokens, mask);
    }

    /** Plain language modelling: every token after the first is a target. */
    public static TrainingExample allTokens(int[] tokens) {
        return lossFrom(tokens, 1);
    }

    public int length() {
        return tokens.length;
    }

    /** Number of target tokens. */
    public int lossTokens() {
        int n = 0;
        for (boolean b : lossMask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean[] lossMask() {
        return lossMask.clone();
    }

    int token(int i) {
        return tokens[i];
    }

    boolean isTarget(int i) {
        return lossMask[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExample e && Arrays.equals(tokens, e.tokens) && Arrays.equals(lossMask, e.lossMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(lossMask);
    }

    @Override
    public String toString() {
        return "TrainingExample[" + tokens.length + " tokens, " + lossTokens() + " targets]";
    }
}
