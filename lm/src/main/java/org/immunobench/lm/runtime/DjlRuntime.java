package org.immunobench.lm.runtime;

import ai.djl.engine.Engine;

/**
 * Starts the DJL PyTorch engine the one way this project allows: offline (no model zoo, hub or native download,
 * ever), natives from the bundled {@code pytorch-native-cpu} jar unless {@code PYTORCH_LIBRARY_PATH} points at a
 * CUDA libtorch, and the intra-op thread count applied before the first op.
 */
public final class DjlRuntime {
    private static volatile boolean started;

    private DjlRuntime() {
    }

    /**
     * Idempotent. The thread count applies to the calling thread (and becomes the default of threads that have not
     * run an op yet); every task thread calls this with its own count.
     */
    public static synchronized Engine start(int intraOpThreads) {
        if (!started) {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("DJL_OFFLINE", "true");
            System.setProperty("OPT_OUT_TRACKING", "true");
            System.setProperty("DJL_DISABLE_PROGRESS_BAR", "true");
            // The graph optimiser re-profiles every new input shape; our shapes vary per batch.
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
            if (intraOpThreads > 0) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
            }
            if (System.getenv("PYTORCH_LIBRARY_PATH") != null && System.getenv("PYTORCH_FLAVOR") == null
                    && System.getProperty("PYTORCH_FLAVOR") == null) {
                // The jni jar has no *-precxx11 flavours, which DJL would guess otherwise
                // (docs/engine-notes.md, no CUDA libtorch from Maven).
                throw new IllegalStateException("PYTORCH_LIBRARY_PATH is set but PYTORCH_FLAVOR is not; set it to"
                        + " cu128 (CUDA libtorch) or cpu, and PYTORCH_VERSION=2.7.1");
            }
            started = true;
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (intraOpThreads > 0) {
            // Per calling thread. Query first: a thread's count is initialised lazily at its first parallel op or
            // query, from whatever count any thread set last, which would undo a count set before that.
            ai.djl.pytorch.jni.JniUtils.getNumThreads();
            ai.djl.pytorch.jni.JniUtils.setNumThreads(intraOpThreads);
        }
        return engine;
    }

    /** GPUs libtorch can see in this JVM (0 on CPU builds). */
    public static int gpuCount() {
        return start(0).getGpuCount();
    }
}
