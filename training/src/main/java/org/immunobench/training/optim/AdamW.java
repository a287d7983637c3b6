package org.immunobench.training.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov &amp; Hutter 1711.05101), PyTorch's update order: θ ← θ(1 − η λ), then
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
 *
 * <p>State lives in this optimiser's own manager on the parameters' device. Call {@link #step} outside any
 * gradient collector (grad mode off), after {@code backward}; it reads and then zeroes each parameter's gradient.
 */
public final class AdamW implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");
    private final AdamWConfig config;
    private final List<NDArray> params;
    private final NDManager state;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private int t;

    public AdamW(List<NDArray> params, AdamWConfig config) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("AdamW: no parameters to optimise");
        }
        this.config = config;
        this.params = List.copyOf(params);
        this.state = NDManager.newBaseManager(params.get(0).getDevice());
        for (NDArray p : params) {
            m.add(state.zeros(p.getShape(), DataType.FLOAT32));
            v.add(state.zeros(p.getShape(), DataType.FLOAT32));
        }
    }

    public int steps() {
        return t;
    }

    /** Global L2 norm of the current gradients (before any clipping). */
    public double gradientNorm() {
        double sq = 0;
        for (NDArray p : params) {
            try (NDManager scope = state.newSubManager(); NDArray grad = p.getGradient()) {
                sq += grad.get(scope, ALL).square().sum().getFloat();
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * One update at learning rate {@code lr}; gradients are scaled by {@code gradScale} first (global-norm
     * clipping passes min(1, maxNorm / norm)).
     */
    public void step(double lr, double gradScale) {
        t++;
        float b1 = (float) config.beta1();
        float b2 = (float) config.beta2();
        double c1 = 1 - Math.pow(config.beta1(), t);
        double c2 = 1 - Math.pow(config.beta2(), t);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            try (NDManager scope = state.newSubManager(); NDArray grad = p.getGradient()) {
                NDArray g = grad.get(scope, ALL).mul((float) gradScale);
                if (config.weightDecay() != 0) {
                    p.muli((float) (1 - lr * config.weightDecay()));
                }
                m.get(i).muli(b1).addi(g.mul(1 - b1));
                v.get(i).muli(b2).addi(g.square().mul(1 - b2));
                // Views in the step scope, so the temporaries below attach there and not to the state manager.
                NDArray vView = v.get(i).get(scope, ALL);
                NDArray mView = m.get(i).get(scope, ALL);
                NDArray denom = vView.div((float) c2).sqrt().add((float) config.eps());
                p.subi(mView.div(denom).mul((float) (lr / c1)));
                grad.muli(0f);
            }
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
