package org.immunobench.jobs.world;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Counts of a generated world, as printed by the {@code world} job and written to {@code world.json}.
 *
 * @param vocabSize tokenizer entries including the four special tokens
 * @param maxTokensPerRow longest row as the model sees it (BOS, prompt, response, EOS)
 * @param rows rows in all splits
 * @param rowsPerSplit split to rows, every split of {@link org.immunobench.curation.corpus.Splits#ALL}
 * @param counts split to kind to domain to rows
 */
public record WorldSummary(int vocabSize, int maxTokensPerRow, long rows, Map<String, Long> rowsPerSplit,
        Map<String, Map<String, Map<String, Long>>> counts) {

    /** {@code pretrain=3000 align=1100 ...}. */
    public String splitsLine() {
        return rowsPerSplit.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
