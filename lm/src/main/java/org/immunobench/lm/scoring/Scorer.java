package org.immunobench.lm.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.RuntimeOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores token sequences under a model: per-token NLL, per-sequence sums, means and perplexities.
 *
 * <p>Sequences are windowed to the model's context (stride = half a context: each window scores only targets no
 * earlier window scored, with up to half a context of left context), windows are grouped by length into padded
 * batches ({@link LengthBatches}), and only scored positions reach the chunked log-softmax ({@link TokenNll}).
 * Results come back in input order. Not thread-safe; use one per thread.
 */
public final class Scorer {
    private final LlamaWeights weights;
    private final RuntimeOptions options;
    private final int context;
    private long tokensForwarded;
    private long nanos;

    public Scorer(LlamaWeights weights, RuntimeOptions options) {
        this(weights, options, weights.config().maxPositionEmbeddings());
    }

    public Scorer(LlamaWeights weights, RuntimeOptions options, int context) {
        if (context < 2) {
            throw new IllegalArgumentException("scoring context must be >= 2, got " + context);
        }
        this.weights = weights;
        this.options = options;
        this.context = context;
    }

    /** One score per input, same order. */
    public List<SequenceScore> score(List<ScoringInput> inputs) {
        List<float[]> nlls = tokenNlls(inputs);
        List<SequenceScore> out = new ArrayList<>(nlls.size());
        for (float[] n : nlls) {
            double sum = 0;
            for (float x : n) {
                sum += x;
            }
            out.add(new SequenceScore(n.length, sum));
        }
        return out;
    }

    /** NLL of every scored target of every input (length {@link ScoringInput#scoredTokens()}), same order. */
    public List<float[]> tokenNlls(List<ScoringInput> inputs) {
        List<Window> windows = new ArrayList<>();
        List<float[]> results = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            ScoringInput in = inputs.get(i);
            results.add(new float[Math.max(0, in.scoredTokens())]);
            windows.addAll(windowsOf(i, in, context));
        }
        int[] lengths = windows.stream().mapToInt(wd -> wd.end - wd.start).toArray();
        long t0 = System.nanoTime();
        for (int[] batch : LengthBatches.plan(lengths, options.maxBatchTokens(), options.maxBatchSize())) {
            runBatch(inputs, windows, batch, results);
        }
        nanos += System.nanoTime() - t0;
        return results;
    }

    /** Tokens that went through the model (windows overlap, so ≥ input tokens) since creation. */
    public long tokensForwarded() {
        return tokensForwarded;
    }

    /** Forward tokens per second since creation. */
    public double tokensPerSecond() {
        return nanos == 0 ? 0 : tokensForwarded / (nanos / 1e9);
    }

    /** A span [start, end) of input {@code input} whose targets [firstTarget, end) it scores. */
    record Window(int input, int start, int end, int firstTarget) {
    }

    static List<Window> windowsOf(int index, ScoringInput in, int context) {
        int n = in.tokens().length;
        int first = Math.max(1, in.scoreFrom());
        List<Window> out = new ArrayList<>();
        if (n <= context) {
            out.add(new Window(index, 0, n, first));
            return out;
        }
        int stride = context / 2;
        int scoredUpTo = first; // next target to score
        while (scoredUpTo < n) {
            int end = Math.min(n, Math.max(scoredUpTo + stride, Math.min(n, context)));
            int start = Math.max(0, end - context);
            if (end > scoredUpTo) {
                out.add(new Window(index, start, end, scoredUpTo));
            }
            scoredUpTo = end;
        }
        return out;
    }

    private void runBatch(List<ScoringInput> inputs, List<Window> windows, int[] batch, List<float[]> results) {
        int longest = 0;
        int scored = 0;
        for (int wi : batch) {
            Window wd = windows.get(wi);
            longest = Math.max(longest, wd.end - wd.start);
            scored += wd.end - wd.firstTarget;
        }
        if (scored == 0) {
            return;
        }
        long[] tokens = new long[batch.length * longest];
        float[] mask = new float[batch.length * longest];
        long[] predictRows = new long[scored]; // flat (b * longest + p) of positions that predict a target
        long[] targets = new long[scored];
        int k = 0;
        for (int r = 0; r < batch.length; r++) {
            Window wd = windows.get(batch[r]);
            int[] ids = inputs.get(wd.input).tokens();
            for (int p = wd.start; p < wd.end; p++) {
                tokens[r * longest + (p - wd.start)] = ids[p];
                mask[r * longest + (p - wd.start)] = 1f;
            }
            for (int target = wd.firstTarget; target < wd.end; target++) {
                predictRows[k] = (long) r * longest + (target - 1 - wd.start);
                targets[k] = ids[target];
                k++;
            }
            tokensForwarded += wd.end - wd.start;
        }
        float[] nll;
        try (NDManager scope = NDManager.newBaseManager(weights.device())) {
            NDArray tok = scope.create(tokens, new Shape(batch.length, longest));
            NDArray msk = scope.create(mask, new Shape(batch.length, longest));
            ForwardResult fr = LlamaForward.forward(weights, tok, msk, ForwardOptions.hiddenOnly(), null);
            NDArray flat = fr.finalHidden().reshape(-1, weights.config().hiddenSize());
            NDArray rows = Embedding.embedding(scope.create(predictRows), flat, SparseFormat.DENSE).head();
            nll = TokenNll.compute(weights, rows, scope.create(targets), options.vocabChunk()).toFloatArray();
        }
        k = 0;
        for (int wi : batch) {
            Window wd = windows.get(wi);
            ScoringInput in = inputs.get(wd.input);
            float[] dest = results.get(wd.input);
            int offset = wd.firstTarget - Math.max(1, in.scoreFrom());
            for (int target = wd.firstTarget; target < wd.end; target++) {
                dest[offset++] = nll[k++];
            }
        }
    }
}
