package org.immunobench.lm.scoring;

/**
 * Natural-log NLL of one sequence's scored tokens. {@code nTokens} may be 0 (nothing scored): mean and perplexity
 * are then NaN, never a made-up number.
 */
public record SequenceScore(int nTokens, double nllSum) {
    public double nllMean() {
        return nTokens == 0 ? Double.NaN : nllSum / nTokens;
    }

    /** exp(Σ nll / n), the token-level perplexity. */
    public double perplexity() {
        return Math.exp(nllMean());
    }
}
