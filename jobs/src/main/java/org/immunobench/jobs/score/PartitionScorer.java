package org.immunobench.jobs.score;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.immunobench.jobs.ChunkedScoring;
import org.immunobench.jobs.ExecutorModelCache;
import org.immunobench.jobs.ModelSpec;
import org.immunobench.jobs.TaskDevices;
import org.immunobench.lm.CausalLm;
import org.immunobench.lm.runtime.DeviceSpec;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The executor side of the {@code score} job: streams a partition in chunks of {@code chunkRows}, tokenizes each
 * request, scores the chunk in one {@link Scorer#score} call (which groups rows of similar length into batches),
 * and passes parse-time quarantine rows through. One outcome per input line, so nothing is lost.
 *
 * <p>Holds only the small serialisable spec; the model comes from the per-JVM {@link ExecutorModelCache} and the
 * device from the task's Spark resources.
 */
public final class PartitionScorer implements FlatMapFunction<Iterator<ParsedLine>, ScoreOutcome> {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionScorer.class);

    private final ModelSpec spec;
    private final boolean gpuRequested;
    private final int chunkRows;

    public PartitionScorer(ModelSpec spec, boolean gpuRequested, int chunkRows) {
        if (chunkRows <= 0) {
            throw new IllegalArgumentException("chunk rows must be > 0, got " + chunkRows);
        }
        this.spec = spec;
        this.gpuRequested = gpuRequested;
        this.chunkRows = chunkRows;
    }

    @Override
    public Iterator<ScoreOutcome> call(Iterator<ParsedLine> lines) {
        DeviceSpec device = TaskDevices.current(gpuRequested);
        CausalLm lm = ExecutorModelCache.get(spec.onDevice(device));
        TaskContext tc = TaskContext.get();
        String task = tc == null ? "driver" : "partition " + tc.partitionId();
        return new ChunkIterator(lines, lm.tokenizer(), lm.scorer(), chunkRows, task + " on " + device);
    }

    /** A request's scorer input, or the quarantine row saying why it has none. */
    record Tokenized(ScoringInput input, Quarantined rejected) {
    }

    /** Turns one request into scorer input, or says why it cannot be scored. Pure given the tokenizer. */
    static Tokenized tokenize(ScoreRequest request, LmTokenizer tokenizer) {
        ScoringInput input;
        try {
            input = request.isPromptResponse()
                    ? tokenizer.forPromptResponse(request.prompt(), request.response())
                    : tokenizer.forText(request.text());
        } catch (IllegalArgumentException e) { // ScoringInput refuses an empty token sequence
            return new Tokenized(null, request.quarantine("nothing to score after tokenization (" + e.getMessage()
                    + ")"));
        } catch (RuntimeException e) {
            return new Tokenized(null, request.quarantine("tokenization failed: " + e.getMessage()));
        }
        if (input.scoredTokens() <= 0) {
            return new Tokenized(null, request.quarantine("nothing to score after tokenization ("
                    + input.tokens().length + " tokens, none to predict"
                    + (request.isPromptResponse() ? " in the response)" : ")")));
        }
        return new Tokenized(input, null);
    }

    private static final class ChunkIterator extends ChunkedScoring<ParsedLine, ScoreOutcome> {
        private final LmTokenizer tokenizer;

        ChunkIterator(Iterator<ParsedLine> lines, LmTokenizer tokenizer, Scorer scorer, int chunkRows, String task) {
            super(lines, scorer, chunkRows, task, LOG);
            this.tokenizer = tokenizer;
        }

        @Override
        protected ScoringInput prepare(ParsedLine line, Consumer<ScoreOutcome> passThrough) {
            if (line instanceof Quarantined q) {
                passThrough.accept(q);
                return null;
            }
            Tokenized tokenized = tokenize((ScoreRequest) line, tokenizer);
            if (tokenized.rejected() != null) {
                passThrough.accept(tokenized.rejected());
                return null;
            }
            return tokenized.input();
        }

        @Override
        protected ScoreOutcome scored(ParsedLine line, SequenceScore s) {
            return new Scored(((ScoreRequest) line).id(), s.nTokens(), s.nllSum());
        }
    }
}
