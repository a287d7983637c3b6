package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.training.trainer.Autograd;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated attacker step of Booster (2409.01586) and CTRAP (2505.16559), taken in place on the trainable
 * arrays and undone exactly:
 * <pre>
 *   w' = w − α · ∇h(w) / ‖∇h(w)‖        (‖·‖ the global L2 norm over all trainable arrays)
 * </pre>
 * {@link #take} reads ∇h(w) from the arrays' gradients (the caller has just backpropagated the harmful loss h),
 * saves w, and steps; {@link #close} copies the saved values back, so w is bit-identical afterwards (subtracting the
 * step again would not be: float addition does not undo itself). A zero or non-finite gradient norm takes no step.
 *
 * <p>Runs between recordings: the edits are made with grad mode off (libtorch refuses in-place edits of leaves that
 * require gradients under grad mode) and the thread's mode is restored. The gradients are left as they are; a
 * method that does not use ∇h(w) in its update clears them with {@link #clearGradients}.
 *
 * <p>Package-private and written for CTRAP; a Booster implementation needs the same step (to be merged into one).
 */
final class SimulatedHarmfulStep implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    private final List<NDArray> params;
    private final NDManager saved;
    private final List<NDArray> originals;
    private final double gradientNorm;
    private boolean closed;

    private SimulatedHarmfulStep(List<NDArray> params, NDManager saved, List<NDArray> originals,
            double gradientNorm) {
        this.params = params;
        this.saved = saved;
        this.originals = originals;
        this.gradientNorm = gradientNorm;
    }

    /**
     * Steps {@code params} to w − α g / ‖g‖ with g their current gradients.
     *
     * @throws IllegalStateException when called inside an open {@link Autograd} recording
     */
    static SimulatedHarmfulStep take(List<NDArray> params, double alpha) {
        if (Autograd.isRecording()) {
            throw new IllegalStateException("the simulated harmful step edits weights in place; take it between"
                    + " recordings, not inside one");
        }
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDManager saved = NDManager.newBaseManager(params.get(0).getDevice());
        try {
            double norm = gradientNorm(params, saved);
            List<NDArray> originals = new ArrayList<>(params.size());
            boolean step = norm > 0 && Double.isFinite(norm) && alpha != 0;
            if (step) {
                for (NDArray p : params) {
                    originals.add(p.get(saved, ALL).duplicate()); // a copy in `saved`, not in the weights' manager
                }
                float scale = (float) (alpha / norm);
                for (NDArray p : params) {
                    try (NDManager scope = saved.newSubManager(); NDArray g = p.getGradient()) {
                        p.subi(g.get(scope, ALL).mul(scale));
                    }
                }
            }
            return new SimulatedHarmfulStep(List.copyOf(params), saved, originals, norm);
        } catch (RuntimeException e) {
            saved.close();
            throw e;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** ‖∇h(w)‖ the step was normalised by (0 or non-finite: no step was taken). */
    double gradientNorm() {
        return gradientNorm;
    }

    /** Whether the weights currently sit at the stepped point. */
    boolean stepped() {
        return !originals.isEmpty() && !closed;
    }

    /** Restores every array to its value before {@link #take}, bit for bit. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < originals.size(); i++) {
                params.get(i).set(ALL, originals.get(i));
            }
        } finally {
            saved.close();
            JniUtils.setGradMode(previous);
        }
    }

    /** Sets every array's gradient to zero in place (grad mode must be off, as between recordings). */
    static void clearGradients(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    private static double gradientNorm(List<NDArray> params, NDManager manager) {
        double sq = 0;
        for (NDArray p : params) {
            try (NDManager scope = manager.newSubManager(); NDArray g = p.getGradient()) {
                sq += g.get(scope, ALL).square().sum().getFloat();
            }
        }
        return Math.sqrt(sq);
    }
}
