package org.immunobench.curation.perplexity;

import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.tokenizer.LmTokenizer;

/**
 * What stage 5 scores of a corpus row: the response given the prompt when there is a response (CTRL's PPL is over
 * the response, docs/methods, perplexity; the prompt is context only), else the prompt itself as a plain text. A row
 * with nothing to predict keeps a null perplexity and gets the flag {@link #UNSCORABLE_FLAG}.
 * Perplexity is exp(Σ nll / n) over the scored tokens, natural log (docs/methods, perplexity).
 */
public final class PerplexityInput {
    public static final String UNSCORABLE_FLAG = "ppl_unscorable";

    /** Scorer input, or why there is none. */
    public record Tokenized(ScoringInput input, String unscorable) {
    }

    private PerplexityInput() {
    }

    public static Tokenized of(LmTokenizer tokenizer, String prompt, String response) {
        boolean pair = response != null && !response.isEmpty();
        ScoringInput in;
        try {
            in = pair ? tokenizer.forPromptResponse(prompt, response) : tokenizer.forText(prompt);
        } catch (RuntimeException e) {
            return new Tokenized(null, "tokenization failed (" + e.getMessage() + ")");
        }
        if (in.scoredTokens() <= 0) {
            return new Tokenized(null, "nothing to predict in the " + (pair ? "response" : "prompt") + " ("
                    + in.tokens().length + " tokens)");
        }
        return new Tokenized(in, null);
    }

    public static double perplexity(double nllSum, int nTokens) {
        return Math.exp(nllSum / nTokens);
    }
}
