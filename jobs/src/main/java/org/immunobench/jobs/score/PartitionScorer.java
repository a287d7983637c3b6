package org.immunobench.jobs.score;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.perplexity.PerplexityInput;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.jobs.ChunkedScoring;
import org.immunobench.jobs.DeviceChoice;
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
 * The executor side of the {@code score} job: streams a partition of rows read by the curation read path in chunks
 * of {@code chunkRows}, tokenizes each kept row as curate's perplexity stage does ({@link PerplexityInput}: the
 * response given the prompt, or a plain text whole), scores the chunk in one {@link Scorer#score} call (which groups
 * rows of similar length into batches), and turns rows quarantined or dropped while reading into quarantine rows.
 * One outcome per row read, so nothing is lost.
 *
 * <p>Holds only the small serialisable spec; the model comes from the per-JVM {@link ExecutorModelCache} and the
 * device from the task's Spark resources.
 */
public final class PartitionScorer implements FlatMapFunction<Iterator<Parsed>, ScoreOutcome> {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionScorer.class);

    private final ModelSpec spec;
    private final DeviceChoice device;
    private final int chunkRows;

    public PartitionScorer(ModelSpec spec, DeviceChoice device, int chunkRows) {
        if (chunkRows <= 0) {
            throw new IllegalArgumentException("chunk rows must be > 0, got " + chunkRows);
        }
        this.spec = spec;
        this.device = device;
        this.chunkRows = chunkRows;
    }

    @Override
    public Iterator<ScoreOutcome> call(Iterator<Parsed> rows) {
        DeviceSpec device = TaskDevices.current(this.device).device();
        CausalLm lm = ExecutorModelCache.get(spec.onDevice(device));
        TaskContext tc = TaskContext.get();
        String task = tc == null ? "driver" : "partition " + tc.partitionId();
        return new ChunkIterator(rows, lm.tokenizer(), lm.scorer(), chunkRows, task + " on " + device);
    }

    private static final class ChunkIterator extends ChunkedScoring<Parsed, ScoreOutcome> {
        private final LmTokenizer tokenizer;

        ChunkIterator(Iterator<Parsed> rows, LmTokenizer tokenizer, Scorer scorer, int chunkRows, String task) {
            super(rows, scorer, chunkRows, task, LOG);
            this.tokenizer = tokenizer;
        }

        @Override
        protected ScoringInput prepare(Parsed p, Consumer<ScoreOutcome> passThrough) {
            if (!(p instanceof Parsed.Kept kept)) {
                passThrough.accept(ScoreOutcome.quarantined(ScoreRows.notKept(p)));
                return null;
            }
            CorpusRow r = kept.row();
            PerplexityInput.Tokenized t = PerplexityInput.of(tokenizer, r.prompt(), r.response());
            if (t.unscorable() != null) {
                passThrough.accept(ScoreOutcome.quarantined(ScoreRows.unscorable(r, t.unscorable())));
                return null;
            }
            return t.input();
        }

        @Override
        protected ScoreOutcome scored(Parsed p, SequenceScore s) {
            return ScoreOutcome.scored(ScoreRows.id(((Parsed.Kept) p).row()), s.nTokens(), s.nllSum());
        }
    }
}
