package org.immunobench.jobs.score;

/** The score of one row: natural-log NLL summed over its {@code nTokens} scored tokens. */
public record Scored(String id, int nTokens, double nllSum) implements ScoreOutcome {
    public double nllMean() {
        return nllSum / nTokens;
    }

    public double perplexity() {
        return Math.exp(nllMean());
    }
}
