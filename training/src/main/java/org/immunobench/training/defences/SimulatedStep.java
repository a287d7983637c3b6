package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.List;

/**
 * A simulated attacker step taken in place and undone exactly: θ ← θ − α · d / ‖d‖ on the trainable parameters,
 * with one global L2 norm over all of them and d usually their current gradients of the harmful loss (a normalised
 * gradient-descent step on the attacker's objective). Booster (2409.01586) evaluates h at the stepped weights;
 * CTRAP and TAR simulate the attacker the same way.
 *
 * <p>{@link #close()} copies the saved originals back, so the weights end bit-identical to how they started
 * (subtracting and re-adding the step would not: θ − s + s rounds). Use between autograd recordings, where grad mode is
 * off and in-place edits of leaves are allowed (the {@code Objective} contract); refused under grad mode. Keep the
 * step open only while the stepped weights are needed and close it before the objective returns.
 */
final class SimulatedStep implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    private final List<NDArray> parameters;
    private final NDManager saved;
    private final List<NDArray> originals;
    private final double directionNorm;
    private boolean closed;

    private SimulatedStep(List<NDArray> parameters, NDManager saved, List<NDArray> originals, double directionNorm) {
        this.parameters = parameters;
        this.saved = saved;
        this.originals = originals;
        this.directionNorm = directionNorm;
    }

    /** The step along the parameters' current gradients: θ ← θ − α · ∇/‖∇‖. */
    static SimulatedStep alongGradients(List<NDArray> parameters, double alpha) {
        List<NDArray> gradients = new ArrayList<>(parameters.size());
        try {
            for (NDArray p : parameters) {
                gradients.add(p.getGradient());
            }
            return along(parameters, gradients, alpha);
        } finally {
            gradients.forEach(NDArray::close); // handles on the weights' manager, not the gradient storage
        }
    }

    /**
     * θ_i ← θ_i − α · d_i / ‖d‖ for every parameter i; no move when d is zero.
     *
     * @param directions one array per parameter, same shapes; read only
     */
    static SimulatedStep along(List<NDArray> parameters, List<NDArray> directions, double alpha) {
        if (directions.size() != parameters.size()) {
            throw new IllegalArgumentException(directions.size() + " directions for " + parameters.size()
                    + " parameters");
        }
        if (!Double.isFinite(alpha) || alpha < 0) {
            throw new IllegalArgumentException("simulated step length must be finite and >= 0, got " + alpha);
        }
        if (JniUtils.isGradMode()) {
            throw new IllegalStateException("a simulated step edits weights in place: call it outside an autograd"
                    + " recording (grad mode off)");
        }
        double norm = LayerPerturbation.globalNorm(directions);
        NDManager saved = NDManager.newBaseManager(parameters.get(0).getDevice());
        List<NDArray> originals = new ArrayList<>(parameters.size());
        try {
            for (NDArray p : parameters) {
                NDArray copy = p.duplicate();
                copy.attach(saved); // off the weights' long-lived manager
                originals.add(copy);
            }
            if (norm > 0 && alpha > 0) {
                NDArray factor = saved.full(new Shape(), (float) (alpha / norm));
                for (int i = 0; i < parameters.size(); i++) {
                    try (NDArray step = directions.get(i).mul(factor)) {
                        parameters.get(i).subi(step);
                    }
                }
            }
        } catch (RuntimeException e) {
            restore(parameters, originals);
            saved.close();
            throw e;
        }
        return new SimulatedStep(List.copyOf(parameters), saved, originals, norm);
    }

    /** ‖d‖ of the step's direction (the harmful gradient norm for {@link #alongGradients}). */
    double directionNorm() {
        return directionNorm;
    }

    /** Puts the original weights back, bit for bit. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            restore(parameters, originals);
        } finally {
            saved.close();
        }
    }

    /** Sets every parameter's gradient to zero in place (grad mode off, as between recordings). */
    static void clearGradients(List<NDArray> parameters) {
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    private static void restore(List<NDArray> parameters, List<NDArray> originals) {
        for (int i = 0; i < originals.size(); i++) {
            parameters.get(i).set(ALL, originals.get(i)); // an in-place copy on the device
        }
    }
}
