package org.immunobench.jobs;

import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.slf4j.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The executor loop shared by every job that scores a partition: pull up to {@code chunkRows} items, turn each into
 * scorer input (or pass its outcome straight through), score the chunk in one {@link Scorer#score} call (which
 * groups rows of similar length into padded batches), emit one outcome per item in input order within the chunk,
 * and log the partition's rows, tokens and tokens/s when it is exhausted. Lazy: a chunk is scored only when the
 * consumer asks for more.
 *
 * @param <I> an input item
 * @param <O> its outcome
 */
public abstract class ChunkedScoring<I, O> implements Iterator<O> {
    private final Iterator<I> items;
    private final Scorer scorer;
    private final int chunkRows;
    private final String task;
    private final Logger log;
    private final ArrayDeque<O> ready = new ArrayDeque<>();
    private final long started = System.nanoTime();
    private long rowsScored;
    private long tokensScored;
    private boolean finished;

    protected ChunkedScoring(Iterator<I> items, Scorer scorer, int chunkRows, String task, Logger log) {
        if (chunkRows <= 0) {
            throw new IllegalArgumentException("chunk rows must be > 0, got " + chunkRows);
        }
        this.items = items;
        this.scorer = scorer;
        this.chunkRows = chunkRows;
        this.task = task;
        this.log = log;
    }

    /**
     * The scorer input of an item, or null when the item needs no scoring; then its outcome (a quarantine row, an
     * unscorable flag) has been given to {@code passThrough}.
     */
    protected abstract ScoringInput prepare(I item, Consumer<O> passThrough);

    /** The outcome of an item {@link #prepare} gave input for. */
    protected abstract O scored(I item, SequenceScore score);

    /** Called once when the partition is exhausted, after its figures are logged. */
    protected void finished(Scorer scorer) {
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && items.hasNext()) {
            scoreNextChunk();
        }
        if (ready.isEmpty() && !finished) {
            finished = true;
            double seconds = (System.nanoTime() - started) / 1e9;
            log.info("{}: scored {} rows, {} tokens in {} s: {} tok/s wall, {} tok/s forward", task, rowsScored,
                    tokensScored, String.format("%.2f", seconds),
                    String.format("%.0f", seconds > 0 ? tokensScored / seconds : 0),
                    String.format("%.0f", scorer.tokensPerSecond()));
            finished(scorer);
        }
        return !ready.isEmpty();
    }

    @Override
    public O next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void scoreNextChunk() {
        List<I> pending = new ArrayList<>(chunkRows);
        List<ScoringInput> inputs = new ArrayList<>(chunkRows);
        for (int n = 0; n < chunkRows && items.hasNext(); n++) {
            I item = items.next();
            ScoringInput input = prepare(item, ready::add);
            if (input != null) {
                pending.add(item);
                inputs.add(input);
            }
        }
        if (inputs.isEmpty()) {
            return;
        }
        List<SequenceScore> scores = scorer.score(inputs);
        for (int i = 0; i < scores.size(); i++) {
            SequenceScore s = scores.get(i);
            ready.add(scored(pending.get(i), s));
            rowsScored++;
            tokensScored += s.nTokens();
        }
    }
}
