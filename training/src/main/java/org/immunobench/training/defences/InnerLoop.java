package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.SupervisedObjective;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated attack of first-order meta-learning defences (TAR 2408.00761, MLAC 2211.14946): K plain gradient
 * steps θ_{k+1} = θ_k − η ∇L_adv(θ_k) taken in place on the trainable parameters, losses evaluated at the adapted
 * weights with their gradients set aside, and the outer weights put back bit for bit.
 *
 * <p>First-order: {@link #accumulate} records ∇_{θ_k} L(θ_k), the gradient at the adapted weights, and that vector is
 * what reaches the outer update of θ. The Jacobian dθ_k/dθ of the inner steps (second order) is dropped, as in TAR's
 * "first-order meta-learning" and MAML's first-order variant.
 *
 * <p>Life cycle, inside an {@code Objective.step}: {@link #begin} snapshots θ and sets the parameters' current
 * gradients aside (whatever the objective accumulated before stays part of its result), {@link #descend} and
 * {@link #accumulate} as often as needed, then {@link #close}: θ is copied back from the snapshot (subtracting the
 * steps again would not be exact in float arithmetic) and the parameters' gradients become what was set aside plus
 * every accumulated term. Between those calls the gradient fields are scratch space, zero outside a call.
 *
 * <p>Grad mode: gradients are recorded with {@link Autograd} one loss at a time; weight and gradient edits happen
 * with grad mode off (libtorch refuses in-place edits of leaves that require gradients under grad mode), and the
 * thread's mode is restored afterwards. Nothing may be open on {@link Autograd} when these methods are called. Loss
 * scales on the autograd path are tensors in the loss's scope, never Number operands (see {@code Trainer}).
 */
final class InnerLoop implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    /** A scalar loss of the current weights, built in {@code scope} (on the autograd graph when recording). */
    @FunctionalInterface
    interface Loss {
        NDArray compute(LlamaWeights w, NDManager scope);
    }

    private final LlamaWeights weights;
    private final List<NDArray> parameters;
    private final NDManager saved;
    private final List<NDArray> snapshot;
    private final List<NDArray> setAside;
    private int steps;
    private boolean closed;

    private InnerLoop(LlamaWeights weights, List<NDArray> parameters, NDManager saved, List<NDArray> snapshot,
            List<NDArray> setAside) {
        this.weights = weights;
        this.parameters = parameters;
        this.saved = saved;
        this.snapshot = snapshot;
        this.setAside = setAside;
    }

    /**
     * Snapshots {@code parameters} (arrays of {@code weights} that require gradients) and moves their gradients
     * aside, leaving them zero.
     */
    static InnerLoop begin(LlamaWeights weights, List<NDArray> parameters) {
        refuseWhileRecording("begin");
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("the inner loop needs at least one trainable parameter");
        }
        NDManager saved = NDManager.newBaseManager(weights.device());
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            List<NDArray> snapshot = new ArrayList<>(parameters.size());
            List<NDArray> setAside = new ArrayList<>(parameters.size());
            for (NDArray p : parameters) {
                snapshot.add(p.get(saved, ALL).duplicate()); // a copy owned by `saved`, not the weights' manager
                try (NDArray g = p.getGradient()) {
                    setAside.add(g.get(saved, ALL).duplicate());
                    g.muli(0f);
                }
            }
            return new InnerLoop(weights, List.copyOf(parameters), saved, snapshot, setAside);
        } catch (RuntimeException e) {
            saved.close();
            throw e;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * One simulated attack step, θ ← θ − η ∇loss(θ), in place.
     *
     * @return the loss at the weights before the step
     */
    double descend(Loss loss, double learningRate) {
        checkOpen("descend");
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("inner learning rate must be finite and >= 0, got " + learningRate);
        }
        try (NDManager scope = NDManager.newBaseManager(weights.device())) {
            double value = record(weights, loss, 1.0, scope);
            NDArray eta = scope.full(new Shape(), (float) learningRate);
            editWithGradModeOff(() -> {
                for (NDArray p : parameters) {
                    try (NDArray g = p.getGradient()) {
                        p.subi(eta.mul(g)); // η first: the product lands in `scope`, not on the weights' manager
                        g.muli(0f);
                    }
                }
            });
            steps++;
            return value;
        }
    }

    /**
     * Adds {@code weight} · ∇loss(θ_k) at the current (adapted) weights θ_k to the gradient that {@link #close}
     * hands to the outer update.
     *
     * @return the (unweighted) loss at the current weights
     */
    double accumulate(Loss loss, double weight) {
        checkOpen("accumulate");
        try (NDManager scope = NDManager.newBaseManager(weights.device())) {
            double value = record(weights, loss, weight, scope);
            editWithGradModeOff(() -> {
                for (int i = 0; i < parameters.size(); i++) {
                    try (NDArray g = parameters.get(i).getGradient()) {
                        setAside.get(i).addi(g);
                        g.muli(0f);
                    }
                }
            });
            return value;
        }
    }

    /** Inner steps taken so far. */
    int steps() {
        return steps;
    }

    /** Puts θ back bit for bit and leaves the set-aside plus accumulated gradients on the parameters. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            editWithGradModeOff(() -> {
                for (int i = 0; i < parameters.size(); i++) {
                    NDArray p = parameters.get(i);
                    p.set(ALL, snapshot.get(i)); // an in-place copy: the array object the optimiser holds stays
                    try (NDArray g = p.getGradient()) {
                        g.set(ALL, setAside.get(i));
                    }
                }
            });
        } finally {
            saved.close();
        }
    }

    /** Adds {@code weight} · ∇loss(θ) to the parameters' gradients at the current weights; returns loss(θ). */
    static double backward(LlamaWeights w, Loss loss, double weight) {
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return record(w, loss, weight, scope);
        }
    }

    /** loss(θ) without recording gradients. */
    static double value(LlamaWeights w, Loss loss) {
        refuseWhileRecording("value");
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return loss.compute(w, scope).getFloat();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Mean next-token NLL over the batch's target (response) tokens. */
    static Loss meanNll(PaddedBatch batch, int vocabChunk) {
        float perToken = 1f / batch.targetTokens().length;
        return (w, scope) -> SupervisedObjective.nllSum(w, batch, vocabChunk, scope)
                .mul(scope.full(new Shape(), perToken));
    }

    private static double record(LlamaWeights w, Loss loss, double weight, NDManager scope) {
        refuseWhileRecording("a gradient recording");
        try (Autograd.Recording recording = Autograd.record()) {
            NDArray value = loss.compute(w, scope);
            recording.backward(weight == 1.0 ? value : value.mul(scope.full(new Shape(), (float) weight)));
            return value.getFloat();
        }
    }

    private static void editWithGradModeOff(Runnable edit) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            edit.run();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    private static void refuseWhileRecording(String what) {
        if (Autograd.isRecording()) {
            throw new IllegalStateException("inner loop: " + what + " opens its own gradient recording; call it"
                    + " between recordings, not inside one");
        }
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + " on a closed inner loop");
        }
    }
}
