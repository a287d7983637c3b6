package org.immunobench.lm.runtime;

/**
 * How a model is run: device, intra-op threads (0 = leave libtorch's default) and the batching budget used by
 * scoring. Serializable so Spark closures can carry it.
 *
 * @param device where the weights live and the maths runs
 * @param intraOpThreads libtorch intra-op threads of the thread that runs the model (libtorch keeps one count per thread)
 * @param maxBatchTokens padded tokens (B × T) per forward batch when scoring
 * @param maxBatchSize rows per forward batch when scoring
 * @param vocabChunk vocabulary columns per chunk of the chunked log-softmax
 * @param dtype precision of weights and arithmetic ({@link ComputeDtype})
 */
public record RuntimeOptions(DeviceSpec device, int intraOpThreads, int maxBatchTokens, int maxBatchSize,
        int vocabChunk, ComputeDtype dtype) implements java.io.Serializable {

    public RuntimeOptions {
        if (device == null) {
            throw new IllegalArgumentException("device must be set");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + intraOpThreads);
        }
        if (maxBatchTokens <= 0) {
            throw new IllegalArgumentException("max_batch_tokens must be > 0, got " + maxBatchTokens);
        }
        if (maxBatchSize <= 0) {
            throw new IllegalArgumentException("max_batch_size must be > 0, got " + maxBatchSize);
        }
        if (vocabChunk <= 0) {
            throw new IllegalArgumentException("vocab_chunk must be > 0, got " + vocabChunk);
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must be set");
        }
    }

    public static RuntimeOptions cpu() {
        return new RuntimeOptions(DeviceSpec.CPU, 0, 4096, 64, 32768, ComputeDtype.F32);
    }

    public RuntimeOptions withDevice(DeviceSpec d) {
        return new RuntimeOptions(d, intraOpThreads, maxBatchTokens, maxBatchSize, vocabChunk, dtype);
    }

    public RuntimeOptions withThreads(int threads) {
        return new RuntimeOptions(device, threads, maxBatchTokens, maxBatchSize, vocabChunk, dtype);
    }

    public RuntimeOptions withBatching(int tokens, int size) {
        return new RuntimeOptions(device, intraOpThreads, tokens, size, vocabChunk, dtype);
    }

    public RuntimeOptions withVocabChunk(int chunk) {
        return new RuntimeOptions(device, intraOpThreads, maxBatchTokens, maxBatchSize, chunk, dtype);
    }

    public RuntimeOptions withDtype(ComputeDtype d) {
        return new RuntimeOptions(device, intraOpThreads, maxBatchTokens, maxBatchSize, vocabChunk, d);
    }
}
