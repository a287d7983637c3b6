package org.immunobench.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampled rollouts as one padded batch: row i is prompt_i ∘ completion_i, the completion's tokens (EOS included when
 * sampled) are its targets. Besides the trainer's {@link PaddedBatch} layout it keeps, for every target, the row it
 * belongs to, so that per-token terms can be averaged per sequence (GRPO's 1/|o_i| Σ_t).
 *
 * @param prompts the prompts, one per row (with BOS)
 * @param completions the sampled continuations, one per row, never empty
 * @param group the prompt group of each row (rows of one group share a prompt)
 * @param batch the padded layout
 * @param targetRows (N) row of each target
 */
public record RolloutBatch(List<int[]> prompts, List<int[]> completions, int[] group, PaddedBatch batch,
        int[] targetRows) {

    public static RolloutBatch of(List<int[]> prompts, List<int[]> completions, int[] group) {
        if (prompts.size() != completions.size() || prompts.size() != group.length) {
            throw new IllegalArgumentException("rollouts: " + prompts.size() + " prompts, " + completions.size()
                    + " completions and " + group.length + " group ids must match");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("rollouts: empty batch");
        }
        List<TrainingExample> rows = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            if (completions.get(i).length == 0) {
                throw new IllegalArgumentException("rollout " + i + " has an empty completion");
            }
            rows.add(TrainingExample.promptResponse(prompts.get(i), completions.get(i)));
        }
        PaddedBatch b = PaddedBatch.of(rows);
        int[] rowOf = new int[b.lossTokens()];
        for (int k = 0; k < rowOf.length; k++) {
            rowOf[k] = (int) (b.targetPositions()[k] / b.length());
        }
        return new RolloutBatch(List.copyOf(prompts), List.copyOf(completions), group.clone(), b, rowOf);
    }

    public int rows() {
        return prompts.size();
    }

    public int targets() {
        return targetRows.length;
    }

    /** The rows {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own, groups kept. */
    public RolloutBatch slice(int from, int to) {
        int[] g = new int[to - from];
        System.arraycopy(group, from, g, 0, g.length);
        return of(prompts.subList(from, to), completions.subList(from, to), g);
    }

    /**
     * Per-target weights that turn a sum over targets into GRPO's mean over sequences of per-sequence token means:
     * w_t = 1 / (|o_row(t)| · rows).
     */
    public float[] sequenceMeanWeights() {
        int[] len = new int[rows()];
        for (int r : targetRows) {
            len[r]++;
        }
        float[] w = new float[targets()];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (1.0 / ((double) len[targetRows[k]] * rows()));
        }
        return w;
    }

    /** (N, D) final-normed hidden states at the positions that predict a completion token; on the graph if recording. */
    public NDArray targetHidden(LlamaWeights w, NDManager scope) {
        NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
        NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
        ForwardResult r = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly(), null);
        NDArray hidden = r.finalHidden().reshape(-1, w.config().hiddenSize());
        return hidden.get(scope.create(batch.targetPositions()));
    }

    /** (N) log π(o_t | q, o_&lt;t) of every completion token, on the autograd graph when a recording is open. */
    public NDArray logProbs(LlamaWeights w, NDManager scope, int vocabChunk) {
        return TokenNll.compute(w, targetHidden(w, scope), scope.create(batch.targetTokens()), vocabChunk).neg();
    }

    /** {@link #logProbs} under {@code w} as it is now, with grad mode off on this thread (its mode is restored). */
    public float[] frozenLogProbs(LlamaWeights w, int vocabChunk) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return logProbs(w, scope, vocabChunk).toFloatArray();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Real (non-pad) input tokens of one forward pass over the batch. */
    public long realTokens() {
        return batch.realTokens();
    }
}
