package org.immunobench.jobs.curate;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.perplexity.PerplexityInput;
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

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Stage 5 on the executors: corpus rows (columns in {@link CorpusSchema#CORPUS} order) in, the same rows out with
 * {@code n_tokens} (scored tokens) and {@code ppl} set — or, when a row has nothing to predict, left null with the
 * flag {@code ppl_unscorable: why}. A sibling of the score job's {@code PartitionScorer} (that one maps rows read
 * by the same read path to score records, tokenized by the same {@link PerplexityInput}): the model comes from the
 * per-JVM {@link ExecutorModelCache}, the device from the task's Spark resources, and each chunk of
 * {@code chunkRows} rows goes to the scorer in one call, which groups rows of similar length into padded batches.
 * Logs tokens/s per partition and adds its forward tokens and time to the job's accumulators.
 */
final class CorpusScorer implements MapPartitionsFunction<Row, Row> {
    private static final Logger LOG = LoggerFactory.getLogger(CorpusScorer.class);
    private static final int PROMPT = CorpusSchema.CORPUS.fieldIndex("prompt");
    private static final int RESPONSE = CorpusSchema.CORPUS.fieldIndex("response");
    private static final int N_TOKENS = CorpusSchema.CORPUS.fieldIndex("n_tokens");
    private static final int PPL = CorpusSchema.CORPUS.fieldIndex("ppl");
    private static final int FLAGS = CorpusSchema.CORPUS.fieldIndex("flags");

    private final ModelSpec spec;
    private final DeviceChoice device;
    private final int chunkRows;
    private final LongAccumulator forwardTokens;
    private final LongAccumulator forwardNanos;

    CorpusScorer(ModelSpec spec, DeviceChoice device, int chunkRows, LongAccumulator forwardTokens,
            LongAccumulator forwardNanos) {
        this.spec = spec;
        this.device = device;
        this.chunkRows = chunkRows;
        this.forwardTokens = forwardTokens;
        this.forwardNanos = forwardNanos;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        DeviceSpec device = TaskDevices.current(this.device).device();
        CausalLm lm = ExecutorModelCache.get(spec.onDevice(device));
        TaskContext tc = TaskContext.get();
        String task = (tc == null ? "driver" : "partition " + tc.partitionId()) + " on " + device;
        return new Chunks(rows, lm.tokenizer(), lm.scorer(), task);
    }

    /** The row with its score, or with the unscorable flag. */
    static Row scored(Row r, Integer nTokens, Double ppl, String unscorable) {
        Object[] v = new Object[r.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        v[N_TOKENS] = nTokens;
        v[PPL] = ppl;
        if (unscorable != null) {
            List<String> flags = new ArrayList<>(r.isNullAt(FLAGS) ? List.of() : r.getList(FLAGS));
            flags.add(PerplexityInput.UNSCORABLE_FLAG + ": " + unscorable);
            v[FLAGS] = scala.jdk.javaapi.CollectionConverters.asScala(flags).toSeq();
        }
        return RowFactory.create(v);
    }

    private final class Chunks extends ChunkedScoring<Row, Row> {
        private final LmTokenizer tokenizer;

        Chunks(Iterator<Row> rows, LmTokenizer tokenizer, Scorer scorer, String task) {
            super(rows, scorer, chunkRows, task, LOG);
            this.tokenizer = tokenizer;
        }

        @Override
        protected ScoringInput prepare(Row r, Consumer<Row> passThrough) {
            PerplexityInput.Tokenized t = PerplexityInput.of(tokenizer, r.getString(PROMPT),
                    r.isNullAt(RESPONSE) ? "" : r.getString(RESPONSE));
            if (t.unscorable() != null) {
                passThrough.accept(CorpusScorer.scored(r, null, null, t.unscorable()));
                return null;
            }
            return t.input();
        }

        @Override
        protected Row scored(Row r, SequenceScore s) {
            return CorpusScorer.scored(r, s.nTokens(), PerplexityInput.perplexity(s.nllSum(), s.nTokens()), null);
        }

        @Override
        protected void finished(Scorer scorer) {
            double forwardRate = scorer.tokensPerSecond();
            forwardTokens.add(scorer.tokensForwarded());
            forwardNanos.add(forwardRate > 0 ? (long) (scorer.tokensForwarded() / forwardRate * 1e9) : 0);
        }
    }
}
