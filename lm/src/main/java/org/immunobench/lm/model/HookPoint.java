package org.immunobench.lm.model;

/**
 * A place in the residual stream where interventions act and hidden states are captured.
 *
 * <p>{@code EMBEDDINGS}: the token embeddings (layer −1). {@code MID}: inside layer l, after the attention output is
 * added. {@code POST}: after layer l (attention and MLP added). Acting on all three kinds is what directional
 * ablation needs to equal weight orthogonalisation: every write into the stream is then covered.
 */
public record HookPoint(int layer, Kind kind) {
    public enum Kind { EMBEDDINGS, MID, POST }

    public static final HookPoint EMBEDDINGS = new HookPoint(-1, Kind.EMBEDDINGS);

    public HookPoint {
        if (kind == Kind.EMBEDDINGS ? layer != -1 : layer < 0) {
            throw new IllegalArgumentException("bad hook point: layer " + layer + " kind " + kind);
        }
    }

    public static HookPoint mid(int layer) {
        return new HookPoint(layer, Kind.MID);
    }

    public static HookPoint post(int layer) {
        return new HookPoint(layer, Kind.POST);
    }

    /** Index into the captured stream: 0 = embeddings, l + 1 = after layer l; MID points are not captured. */
    public int streamIndex() {
        return kind == Kind.EMBEDDINGS ? 0 : layer + 1;
    }
}
