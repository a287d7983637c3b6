package org.immunobench.evaluation.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.ArrayList;
import java.util.List;

/**
 * The residual stream of a probe set of token sequences at every token: what the representation probes
 * ({@link HarmfulEmbeddingDrift}, {@link LayerCosine}) compare between two models. Stream s = 0 is the token
 * embeddings, s = l + 1 the stream after layer l (before the final norm), after any interventions, exactly as
 * {@link LlamaForward} captures it.
 *
 * <p>Held in Java memory: N · (L + 1) · D floats. That is 64 toy rows of ~40 tokens × 5 streams × 64 ≈ 3 MB, but
 * grows with the model (a 7B model would want few, short probe rows), which is why probes keep a reference copy
 * rather than a second model on the device.
 *
 * @param dim D
 * @param tokens N: the tokens of all sequences, in sequence order
 * @param streams L + 1 arrays of N · D floats; position n's vector is at [n · D, (n + 1) · D)
 */
public record ResidualStates(int dim, int tokens, List<float[]> streams) {
    public ResidualStates {
        streams = List.copyOf(streams);
        if (streams.size() < 2) {
            throw new IllegalArgumentException("residual states need the embeddings and at least one layer, got "
                    + streams.size() + " stream(s)");
        }
        for (int s = 0; s < streams.size(); s++) {
            if ((long) streams.get(s).length != (long) tokens * dim) {
                throw new IllegalArgumentException("stream " + s + " holds " + streams.get(s).length + " floats, "
                        + "expected tokens " + tokens + " × dim " + dim);
            }
        }
    }

    /** L: the layers whose outputs were captured. */
    public int layers() {
        return streams.size() - 1;
    }

    /** The stream after layer {@code layer} (0-based). */
    public float[] afterLayer(int layer) {
        return streams.get(layer + 1);
    }

    /** Checks that {@code other} describes the same tokens in the same shape (same probe set, same architecture). */
    void requireSameShape(ResidualStates other) {
        if (dim != other.dim || tokens != other.tokens || streams.size() != other.streams.size()) {
            throw new IllegalArgumentException("residual states differ in shape: " + tokens + " tokens × "
                    + streams.size() + " streams × " + dim + " vs " + other.tokens + " × " + other.streams.size()
                    + " × " + other.dim + " (compare the same probe set under models of one architecture)");
        }
    }

    /**
     * Captures the stream of {@code w} on {@code sequences}, {@code batchSize} rows per forward pass, right-padded
     * (padding is masked out of attention and never read). A sequence longer than the model's context is cut to
     * its first {@code max_position_embeddings} tokens. Runs with grad mode off, so it may be called from a training
     * callback without touching the attack's gradients.
     */
    public static ResidualStates capture(LlamaWeights w, List<int[]> sequences,
            List<ResidualIntervention> interventions, int batchSize) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("residual states: no probe sequences");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("residual states: batch size must be >= 1, got " + batchSize);
        }
        int context = w.config().maxPositionEmbeddings();
        int d = w.config().hiddenSize();
        int nStreams = w.config().numLayers() + 1;
        int[] lengths = new int[sequences.size()];
        long total = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = Math.min(sequences.get(i).length, context);
            if (lengths[i] == 0) {
                throw new IllegalArgumentException("residual states: probe sequence " + i + " is empty");
            }
            total += lengths[i];
        }
        if (total * d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("residual states: " + total + " tokens × " + d + " floats do not fit"
                    + " one array; probe fewer or shorter rows");
        }
        List<float[]> out = new ArrayList<>(nStreams);
        for (int s = 0; s < nStreams; s++) {
            out.add(new float[(int) (total * d)]);
        }
        ForwardOptions options = ForwardOptions.hiddenOnly().withCapture().withInterventions(interventions);
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            int offset = 0;
            for (int start = 0; start < sequences.size(); start += batchSize) {
                int rows = Math.min(batchSize, sequences.size() - start);
                int length = 0;
                for (int b = 0; b < rows; b++) {
                    length = Math.max(length, lengths[start + b]);
                }
                long[] ids = new long[rows * length];
                float[] mask = new float[rows * length];
                for (int b = 0; b < rows; b++) {
                    int[] seq = sequences.get(start + b);
                    for (int j = 0; j < lengths[start + b]; j++) {
                        ids[b * length + j] = seq[j];
                        mask[b * length + j] = 1f;
                    }
                }
                try (NDManager scope = NDManager.newBaseManager(w.device())) {
                    NDArray tokens = scope.create(ids, new Shape(rows, length));
                    NDArray attention = scope.create(mask, new Shape(rows, length));
                    ForwardResult r = LlamaForward.forward(w, tokens, attention, options, null);
                    for (int s = 0; s < nStreams; s++) {
                        float[] h = r.hiddenStates().get(s).toFloatArray(); // (rows, length, D)
                        int at = offset;
                        for (int b = 0; b < rows; b++) {
                            int n = lengths[start + b];
                            System.arraycopy(h, b * length * d, out.get(s), at * d, n * d);
                            at += n;
                        }
                    }
                }
                for (int b = 0; b < rows; b++) {
                    offset += lengths[start + b];
                }
            }
        } finally {
            JniUtils.setGradMode(previous);
        }
        return new ResidualStates(d, (int) total, out);
    }
}
