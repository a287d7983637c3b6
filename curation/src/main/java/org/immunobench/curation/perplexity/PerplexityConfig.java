package org.immunobench.curation.perplexity;

import java.io.Serializable;

/**
 * Batching of stage 5 (perplexity under the reference model). Rows are handed to the scorer {@code chunkRows} at a
 * time; the scorer groups them by length into batches of at most {@code maxBatchTokens} padded tokens and
 * {@code maxBatchSize} rows.
 *
 * @param partitions repartition the rows into this many scoring tasks first; 0 keeps the partitioning of the
 *     dedup output, but with at least one task per task slot (Spark's default parallelism)
 */
public record PerplexityConfig(Integer maxBatchTokens, Integer maxBatchSize, Integer chunkRows, Integer partitions)
        implements Serializable {

    /** Null components take their defaults: 4096 tokens, 64 rows, chunks of 512 rows, 0 partitions. */
    public PerplexityConfig {
        maxBatchTokens = maxBatchTokens == null ? 4096 : maxBatchTokens;
        maxBatchSize = maxBatchSize == null ? 64 : maxBatchSize;
        chunkRows = chunkRows == null ? 512 : chunkRows;
        partitions = partitions == null ? 0 : partitions;
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("max_batch_tokens: must be >= 1, got " + maxBatchTokens);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max_batch_size: must be >= 1, got " + maxBatchSize);
        }
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk_rows: must be >= 1, got " + chunkRows);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions: must be >= 0, got " + partitions);
        }
    }

    public static PerplexityConfig defaults() {
        return new PerplexityConfig(null, null, null, null);
    }
}
