package org.immunobench.training.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording on the calling thread only, with no lock shared across the JVM.
 *
 * <p>Why not DJL's {@code GradientCollector}: the PyTorch engine keeps one static "collecting" flag for the whole JVM,
 * so a second collector opened anywhere (another trainer, a callback on another thread) throws while the first is
 * open, and the project used to serialise every backward pass in a JVM behind a lock because of it. All the
 * collector really does is switch libtorch's grad mode on and run libtorch's backward with a ones gradient. Grad mode
 * is a per-thread setting in libtorch, and its autograd engine runs backward passes of independent graphs from
 * several threads at once, so each thread can do both itself. Two trainers on two threads then produce exactly the
 * weights they produce one after the other (checked by {@code TrainerTest}); see {@code docs/engine-notes.md}.
 *
 * <p>Use: {@code try (Autograd.Recording r = Autograd.record()) { NDArray loss = …; r.backward(loss); }}. Opening a
 * recording switches this thread's grad mode on; closing it restores the mode the thread had before (a fresh thread
 * starts with grad mode on in libtorch, which would break in-place optimiser updates if left that way). One recording
 * per thread at a time: opening a second one on the same thread is refused. Different threads never wait for each
 * other. A recording belongs to the thread that opened it; backward and close from another thread are refused.
 *
 * <p>Arrays that autograd keeps for backward must outlive it: see the Number-operand hazard in {@link Trainer}.
 */
public final class Autograd {
    private static final ThreadLocal<Recording> OPEN = new ThreadLocal<>();

    private Autograd() {
    }

    /**
     * Opens a recording on this thread: grad mode on until {@link Recording#close()}.
     *
     * @throws IllegalStateException if this thread already has a recording open
     */
    public static Recording record() {
        Recording open = OPEN.get();
        if (open != null) {
            throw new IllegalStateException("thread '" + Thread.currentThread().getName() + "' already records"
                    + " gradients (Autograd.record() is open and not closed); nested recordings are not supported");
        }
        Engine.getEngine("PyTorch"); // loads the natives JniUtils calls into
        Recording r = new Recording(Thread.currentThread(), JniUtils.isGradMode());
        JniUtils.setGradMode(true);
        OPEN.set(r);
        return r;
    }

    /** Whether this thread has a recording open. */
    public static boolean isRecording() {
        return OPEN.get() != null;
    }

    /** Grad mode on for the owning thread; {@link #close()} restores the mode it had before. */
    public static final class Recording implements AutoCloseable {
        private final Thread owner;
        private final boolean previousGradMode;
        private boolean closed;

        private Recording(Thread owner, boolean previousGradMode) {
            this.owner = owner;
            this.previousGradMode = previousGradMode;
        }

        /**
         * Backpropagates {@code loss}: adds d sum(loss) / d leaf to the gradient of every leaf that requires one and
         * that {@code loss} depends on. The graph is freed afterwards (one backward per forward).
         */
        public void backward(NDArray loss) {
            checkUsable("backward");
            if (!(loss instanceof PtNDArray target)) {
                throw new IllegalArgumentException("Autograd needs a PyTorch-engine array, got "
                        + (loss == null ? "null" : loss.getClass().getName()));
            }
            // The seed gradient only has to live until libtorch's backward returns.
            try (NDArray ones = target.onesLike()) {
                JniUtils.backward(target, (PtNDArray) ones, false, false);
            }
        }

        /** Restores the owning thread's previous grad mode; further calls do nothing. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            checkOwner("close");
            closed = true;
            try {
                JniUtils.setGradMode(previousGradMode);
            } finally {
                OPEN.remove();
            }
        }

        private void checkUsable(String what) {
            if (closed) {
                throw new IllegalStateException(what + " on a closed Autograd recording");
            }
            checkOwner(what);
        }

        private void checkOwner(String what) {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException(what + " of an Autograd recording from thread '"
                        + Thread.currentThread().getName() + "'; it belongs to thread '" + owner.getName() + "'");
            }
        }
    }
}
