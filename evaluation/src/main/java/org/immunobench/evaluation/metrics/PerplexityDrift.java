package org.immunobench.evaluation.metrics;

/**
 * Perplexity drift on general text: the collapse alarm of "The Butterfly Effect of Model Editing" (Yang et al.,
 * arXiv 2402.09656, ACL Findings 2024), who found that a model broken by a few weight edits shows it first as a
 * jump in perplexity on a fixed general-text set, which tracks its downstream scores and costs one forward pass.
 * Here the model is a defended or attacked checkpoint and the reference is its parent:
 * <pre>
 *   ppl       = exp( Σ_t nll_t / T )                 over the T scored tokens of the general text (natural log)
 *   ppl_drift = ppl(model) / ppl(parent) = exp( mean nll(model) − mean nll(parent) )
 * </pre>
 * 1 means unchanged; a defence that quietly breaks the model reads well above 1 at step 0 (defence-induced
 * drift), an attack that breaks it rises along the attack. On the toy world the general text is the held-out benign
 * evaluation rows, every token scored (docs/methods.md, "Probes").
 */
public final class PerplexityDrift {
    private PerplexityDrift() {
    }

    /** exp(nllSum / tokens); needs at least one token. */
    public static double perplexity(double nllSum, long tokens) {
        return Math.exp(meanNll(nllSum, tokens));
    }

    /** ppl(model) / ppl(parent), computed as the exponential of the difference of the mean NLLs. */
    public static double drift(double nllSum, long tokens, double parentNllSum, long parentTokens) {
        return Math.exp(meanNll(nllSum, tokens) - meanNll(parentNllSum, parentTokens));
    }

    private static double meanNll(double nllSum, long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("perplexity needs at least one scored token, got " + tokens);
        }
        // A non-finite sum (a model whose logits overflowed) is a measurement and passes through as NaN/∞.
        if (nllSum < 0) {
            throw new IllegalArgumentException("an NLL sum is >= 0, got " + nllSum);
        }
        return nllSum / tokens;
    }
}
