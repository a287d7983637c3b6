package org.immunobench.jobs.score;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.perplexity.PerplexityInput;

import java.io.Serializable;

/**
 * What one input row ends as: scored ({@code quarantined} null; natural-log NLL summed over {@code nTokens} scored
 * tokens), or quarantined while reading or at tokenization.
 */
public record ScoreOutcome(String id, int nTokens, double nllSum, QuarantineRow quarantined) implements Serializable {

    static ScoreOutcome scored(String id, int nTokens, double nllSum) {
        return new ScoreOutcome(id, nTokens, nllSum, null);
    }

    static ScoreOutcome quarantined(QuarantineRow q) {
        return new ScoreOutcome(null, 0, 0, q);
    }

    boolean isScored() {
        return quarantined == null;
    }

    /** The row of {@link ScoreJob#SCORES_SCHEMA}: id, n_tokens, nll_sum, nll_mean, ppl = exp(nll_mean). */
    Row scoresRow() {
        return RowFactory.create(id, nTokens, nllSum, nllSum / nTokens, PerplexityInput.perplexity(nllSum, nTokens));
    }
}
