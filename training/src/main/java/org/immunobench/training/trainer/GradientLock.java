package org.immunobench.training.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide guard of DJL's single gradient collector. The PyTorch engine allows one open
 * {@link GradientCollector} per JVM (a static flag; a second one throws; docs/engine-notes.md, one gradient collector
 * per JVM), so every piece of code that records gradients — the trainer, defences, gradient probes — opens its
 * collector through {@link #collector()} and thereby waits its turn instead of failing. The lock is fair (FIFO) and
 * reentrant, so a caller may {@link #hold()} it across several sequential collectors (e.g. a two-pass perturbation
 * step).
 *
 * <p>Grad mode is a per-thread PyTorch setting that DJL's collector switches on and restores only when it was off
 * before; a fresh thread starts with it on, which breaks in-place optimiser updates afterwards. {@link Collector}
 * therefore restores exactly the mode the thread had.
 */
public final class GradientLock {
    private static final ReentrantLock LOCK = new ReentrantLock(true);
    private static final ThreadLocal<Boolean> OPEN = ThreadLocal.withInitial(() -> false);

    private GradientLock() {
    }

    /** Holds the lock until closed, without opening a collector. */
    public static Held hold() {
        LOCK.lock();
        return new Held();
    }

    /**
     * Waits for the lock, then opens a gradient collector (grad mode on). Closing it closes the collector, restores
     * this thread's grad mode and releases the lock. Nesting two collectors on one thread is a bug and is refused.
     */
    public static Collector collector() {
        LOCK.lock();
        if (OPEN.get()) {
            LOCK.unlock();
            throw new IllegalStateException("this thread already has a gradient collector open; close it first");
        }
        try {
            Engine engine = Engine.getInstance(); // loads the natives JniUtils needs
            boolean gradMode = JniUtils.isGradMode();
            GradientCollector gc;
            try {
                gc = engine.newGradientCollector();
            } catch (RuntimeException e) {
                JniUtils.setGradMode(gradMode); // DJL switches grad mode on before it finds a collector open
                throw e;
            }
            OPEN.set(true);
            return new Collector(gc, gradMode);
        } catch (RuntimeException | Error e) {
            LOCK.unlock();
            throw e;
        }
    }

    public static boolean isHeldByCurrentThread() {
        return LOCK.isHeldByCurrentThread();
    }

    /** Whether some thread is waiting for the lock (for tests). */
    static boolean hasQueuedThreads() {
        return LOCK.hasQueuedThreads();
    }

    /** The lock held without a collector; close releases it once. */
    public static final class Held implements AutoCloseable {
        private boolean closed;

        private Held() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                LOCK.unlock();
            }
        }
    }

    /** An open gradient collector owned by the current thread. */
    public static final class Collector implements AutoCloseable {
        private final GradientCollector collector;
        private final boolean previousGradMode;
        private boolean closed;

        private Collector(GradientCollector collector, boolean previousGradMode) {
            this.collector = collector;
            this.previousGradMode = previousGradMode;
        }

        /** d target / d leaf for every leaf that requires a gradient, added to what those leaves already hold. */
        public void backward(NDArray target) {
            collector.backward(target);
        }

        /** The DJL collector, for APIs that want one. */
        public GradientCollector gradientCollector() {
            return collector;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                collector.close();
            } finally {
                JniUtils.setGradMode(previousGradMode);
                OPEN.set(false);
                LOCK.unlock();
            }
        }
    }
}
