package org.immunobench.lm.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.immunobench.lm.model.Casts;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;

/**
 * Next-token negative log-likelihood from final hidden states, −log softmax(h Wᵀ)[y] = logsumexp(h Wᵀ) − h·W_y,
 * with the logsumexp accumulated over vocabulary chunks (online max/sum rescaling) so that N × V logits never
 * exist at once — a 128k vocabulary at N = 4096 would otherwise need 2 GiB. Differentiable, so training uses it too.
 */
public final class TokenNll {
    private TokenNll() {
    }

    /**
     * @param hidden (N, D) final-normed hidden states of the positions that predict
     * @param targets (N) int64 next tokens
     * @return (N) NLL in nats, in {@code hidden}'s scope
     */
    public static NDArray compute(LlamaWeights w, NDArray hidden, NDArray targets, int vocabChunk) {
        NDArray head = w.get(LlamaNames.LM_HEAD); // (V, D), as stored
        long vocab = head.getShape().get(0);
        boolean reduced = w.activationType() != DataType.FLOAT32;
        NDArray targetRows = w.toCompute(LlamaNames.LM_HEAD,
                Embedding.embedding(targets, head, SparseFormat.DENSE).head()); // (N, D)
        // in half precision the dot products and the logsumexp are taken in float32
        NDArray wideHidden = reduced ? Casts.to(hidden, DataType.FLOAT32) : hidden;
        NDArray targetLogit = wideHidden.mul(reduced ? Casts.to(targetRows, DataType.FLOAT32) : targetRows)
                .sum(new int[] {-1});
        if (vocab <= vocabChunk) {
            NDArray logits;
            try (LlamaWeights.Use full = w.use(LlamaNames.LM_HEAD, hidden.getManager())) {
                logits = Linear.linear(hidden, full.array(), null).head();
            }
            return logsumexp(reduced ? Casts.to(logits, DataType.FLOAT32) : logits).sub(targetLogit);
        }
        NDArray runMax = null;
        NDArray runSum = null;
        for (long start = 0; start < vocab; start += vocabChunk) {
            long end = Math.min(vocab, start + vocabChunk);
            NDArray slice = w.toCompute(LlamaNames.LM_HEAD, head.get(hidden.getManager(),
                    new NDIndex(start + ":" + end)));
            NDArray logits = Linear.linear(hidden, slice, null).head(); // (N, chunk)
            if (reduced) {
                logits = Casts.to(logits, DataType.FLOAT32);
            }
            NDArray chunkMax = logits.max(new int[] {-1}).stopGradient();
            if (runMax == null) {
                runMax = chunkMax;
                runSum = logits.sub(chunkMax.expandDims(1)).exp().sum(new int[] {-1});
            } else {
                NDArray newMax = NDArrays.maximum(runMax, chunkMax);
                runSum = runSum.mul(runMax.sub(newMax).exp())
                        .add(logits.sub(newMax.expandDims(1)).exp().sum(new int[] {-1}));
                runMax = newMax;
            }
        }
        return runSum.log().add(runMax).sub(targetLogit);
    }

    private static NDArray logsumexp(NDArray logits) {
        NDArray max = logits.max(new int[] {-1}, true).stopGradient();
        return logits.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
    }
}
