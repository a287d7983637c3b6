package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.TrainingExample;

import java.util.List;

/**
 * A micro-batch of a defence's data stream with what response-level losses need beyond plain SFT: for every
 * target (response) token, its row and its 1-based index t within its example's targets. Same layout as the
 * trainer's batches: row b holds tokens[0..n−2] of its example right-padded to T = longest − 1 with pad id 0 and
 * attention 0; flat position b·T + j predicts tokens[j + 1] and carries loss only when that token is a target.
 * Pad keys get attention weight 0 and pad rows are never read, so padding cannot leak into any loss.
 *
 * <p>Written here rather than reusing the trainer's batch because that one is package-private to the trainer and
 * has no per-target row or response index (which the collapse loss's per-example mean and the token-wise
 * constrained objective's β_t need).
 *
 * @param inputs (B·T) token ids
 * @param attention (B·T) 1 = real token, 0 = pad
 * @param targetPositions (N) flat positions b·T + j that predict a target
 * @param targetTokens (N) the target each of those positions predicts
 * @param targetRows (N) the row b of each target
 * @param responseIndex (N) 1-based index of each target among its example's targets (t of y_t)
 * @param realTokens non-pad input positions
 */
record ResponseBatch(int rows, int length, long[] inputs, float[] attention, long[] targetPositions,
        long[] targetTokens, int[] targetRows, int[] responseIndex, long realTokens) {

    static ResponseBatch of(List<TrainingExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int rows = examples.size();
        int length = 0;
        int targets = 0;
        for (TrainingExample e : examples) {
            length = Math.max(length, e.length() - 1);
            targets += e.lossTokens();
        }
        long[] inputs = new long[rows * length];
        float[] attention = new float[rows * length];
        long[] positions = new long[targets];
        long[] tokens = new long[targets];
        int[] targetRows = new int[targets];
        int[] index = new int[targets];
        long real = 0;
        int k = 0;
        for (int b = 0; b < rows; b++) {
            int[] ids = examples.get(b).tokens();
            boolean[] mask = examples.get(b).lossMask();
            int t = 0;
            for (int j = 0; j < ids.length - 1; j++) {
                inputs[b * length + j] = ids[j];
                attention[b * length + j] = 1f;
                if (mask[j + 1]) {
                    positions[k] = (long) b * length + j;
                    tokens[k] = ids[j + 1];
                    targetRows[k] = b;
                    index[k] = ++t;
                    k++;
                }
            }
            real += ids.length - 1;
        }
        return new ResponseBatch(rows, length, inputs, attention, positions, tokens, targetRows, index, real);
    }

    int targets() {
        return targetTokens.length;
    }

    /** Targets of each row: |y_b|. */
    int[] targetsPerRow() {
        int[] n = new int[rows];
        for (int r : targetRows) {
            n[r]++;
        }
        return n;
    }

    /**
     * (N, D) final-normed hidden states of the positions that predict a target, in {@code scope}; on the autograd
     * graph when a recording is open. Only these rows ever reach the LM head.
     */
    NDArray targetHidden(LlamaWeights w, NDManager scope) {
        NDArray tokens = scope.create(inputs, new Shape(rows, length));
        NDArray mask = scope.create(attention, new Shape(rows, length));
        ForwardResult r = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly(), null);
        NDArray hidden = r.finalHidden().reshape(-1, w.config().hiddenSize()); // (B·T, D)
        return hidden.get(scope.create(targetPositions)); // (N, D)
    }

    /** (N) −log p(y_t | x, y_&lt;t) of every target, vocabulary-chunked ({@link TokenNll}). */
    NDArray targetNll(LlamaWeights w, NDManager scope, int vocabChunk) {
        return TokenNll.compute(w, targetHidden(w, scope), scope.create(targetTokens), vocabChunk);
    }

    /** (N, V) full logits at the target positions: for losses over the whole next-token distribution. */
    NDArray targetLogits(LlamaWeights w, NDManager scope) {
        return Linear.linear(targetHidden(w, scope), w.get(LlamaNames.LM_HEAD), null).head();
    }

    /**
     * Token-mean NLL of the batch, (1/N) Σ_t −log p(y_t | ·), as a scalar in {@code scope}; the scale is a tensor
     * operand that lives in the scope until backward (DJL frees Number operands too early, see the trainer).
     */
    NDArray meanNll(LlamaWeights w, NDManager scope, int vocabChunk) {
        return targetNll(w, scope, vocabChunk).sum().mul(constant(scope, 1.0 / targets()));
    }

    /**
     * Adds weight · ∂(token-mean NLL)/∂θ to the trainable arrays' gradients in a recording of its own; returns
     * the unweighted token-mean NLL.
     */
    double backwardMeanNll(LlamaWeights w, double weight, int vocabChunk) {
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray nll = meanNll(w, scope, vocabChunk);
            recording.backward(nll.mul(constant(scope, weight)));
            return nll.getFloat();
        }
    }

    /**
     * log p(y_t | ·) of every target under {@code w} as it is now, computed with grad mode off on this thread (the
     * mode it had is restored): the frozen reference values of a token-wise constrained objective.
     */
    float[] frozenTargetLogProbs(LlamaWeights w, int vocabChunk) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            float[] nll = targetNll(w, scope, vocabChunk).toFloatArray();
            for (int i = 0; i < nll.length; i++) {
                nll[i] = -nll[i];
            }
            return nll;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** A 0-d float32 tensor in {@code scope}: the only safe way to scale on the autograd path. */
    static NDArray constant(NDManager scope, double value) {
        return scope.full(new Shape(), (float) value);
    }
}
