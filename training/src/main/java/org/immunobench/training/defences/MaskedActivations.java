package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.PaddedBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The residual stream of a training batch at chosen positions, as (N, D) rows: what the representation defences
 * (RepNoise, circuit breakers) put their losses on. Not a loss itself; see {@link RepresentationLosses}.
 *
 * <p>Stream indices follow {@link ForwardResult#hiddenStates()}: 0 = embeddings, l + 1 = after layer l (before the
 * final norm). Everything is created in the caller's scope and stays on the autograd graph when the caller records.
 *
 * <p>Legend: B rows, T padded length, D hidden, N selected positions.
 */
final class MaskedActivations {
    /** Which positions of a {@link PaddedBatch} to keep. */
    enum Positions {
        /**
         * Positions whose input token is a response token: the hidden states "of the response". The response's last
         * token (EOS) is never an input of a next-token batch, so it has no such position.
         */
        HOLDING_RESPONSE,
        /** Positions that predict a response token (the batch's loss positions: last prompt token onwards). */
        PREDICTING_RESPONSE,
        /** Every real (non-pad) input position. */
        ALL_TOKENS
    }

    private MaskedActivations() {
    }

    /** Flat indices b·T + j into the (B·T) layout of {@code batch}. */
    static long[] positions(PaddedBatch batch, Positions which) {
        float[] attention = batch.attention();
        return switch (which) {
            case PREDICTING_RESPONSE -> batch.targetPositions().clone();
            case ALL_TOKENS -> {
                long[] out = new long[attention.length];
                int n = 0;
                for (int i = 0; i < attention.length; i++) {
                    if (attention[i] != 0f) {
                        out[n++] = i;
                    }
                }
                yield Arrays.copyOf(out, n);
            }
            case HOLDING_RESPONSE -> {
                // Position j predicts token j + 1, so the token at j + 1 is a response token exactly when j is a
                // loss position; it is an input when j + 1 is still inside the row and not padding.
                long[] predicting = batch.targetPositions();
                long[] out = new long[predicting.length];
                int n = 0;
                for (long p : predicting) {
                    long next = p + 1;
                    if (next % batch.length() != 0 && attention[(int) next] != 0f) {
                        out[n++] = next;
                    }
                }
                yield Arrays.copyOf(out, n);
            }
        };
    }

    /** The stream after every layer, plus the embeddings: L + 1 arrays (B·T, D) in {@code scope}. */
    static List<NDArray> stream(LlamaWeights w, PaddedBatch batch, NDManager scope) {
        NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
        NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
        ForwardResult r = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly().withCapture(), null);
        List<NDArray> out = new ArrayList<>(r.hiddenStates().size());
        for (NDArray h : r.hiddenStates()) {
            out.add(h.reshape(-1, w.config().hiddenSize()));
        }
        return out;
    }

    /** {@code stream[i]} at {@code positions} for every i in {@code streamIndices}: arrays (N, D). */
    static List<NDArray> select(List<NDArray> stream, int[] streamIndices, long[] positions, NDManager scope) {
        if (positions.length == 0) {
            throw new IllegalArgumentException("the batch has no position to read representations at (a harmful"
                    + " response needs at least 2 tokens, its last one is never an input)");
        }
        NDArray index = scope.create(positions);
        List<NDArray> out = new ArrayList<>(streamIndices.length);
        for (int i : streamIndices) {
            out.add(stream.get(i).get(index));
        }
        return out;
    }

    /** One forward pass of {@code w} and the stream at {@code streamIndices}, restricted to {@code which}. */
    static List<NDArray> capture(LlamaWeights w, PaddedBatch batch, Positions which, int[] streamIndices,
            NDManager scope) {
        return select(stream(w, batch, scope), streamIndices, positions(batch, which), scope);
    }

    /** 1 … L: the output of every layer, without the embeddings. */
    static int[] layerOutputs(int numLayers) {
        int[] out = new int[numLayers];
        for (int l = 0; l < numLayers; l++) {
            out[l] = l + 1;
        }
        return out;
    }
}
