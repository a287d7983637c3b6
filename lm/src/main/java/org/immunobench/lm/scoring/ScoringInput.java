package org.immunobench.lm.scoring;

/**
 * One token sequence to score. Tokens at positions ≥ {@code scoreFrom} (and ≥ 1: the first token has no
 * prediction) are scored; earlier ones are context only, e.g. the prompt when only the response counts.
 */
public record ScoringInput(int[] tokens, int scoreFrom) {
    public ScoringInput {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (scoreFrom < 0 || scoreFrom > tokens.length) {
            throw new IllegalArgumentException("scoreFrom " + scoreFrom + " outside [0, " + tokens.length + "]");
        }
    }

    /** Number of scored targets. */
    public int scoredTokens() {
        return tokens.length - Math.max(1, scoreFrom);
    }
}
