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
public record PerplexityConfig(int maxBatchTokens, int maxBatchSize, int chunkRows, int partitions)
        implements Serializable {
    public static final int DEFAULT_MAX_BATCH_TOKENS = 4096;
    public static final int DEFAULT_MAX_BATCH_SIZE = 64;
    public static final int DEFAULT_CHUNK_ROWS = 512;

    public PerplexityConfig {
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
        return new PerplexityConfig(DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_CHUNK_ROWS, 0);
    }
}
