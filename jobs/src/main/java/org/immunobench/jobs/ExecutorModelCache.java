package org.immunobench.jobs;

import org.immunobench.lm.CausalLm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model per (checkpoint, runtime options, device) per JVM, shared by every task the JVM runs.
 *
 * <p>Static on purpose: Spark deserialises a closure once per task, so a model held in a transient field (DJL's
 * Spark extension) is reloaded per task (docs/engine-notes.md, one model per JVM). Loaded weights are read-only and
 * shared across task threads; a {@link org.immunobench.lm.scoring.Scorer} is not, so every task makes its own. Models
 * are closed by a shutdown hook, or by {@link #closeAll()}.
 */
public final class ExecutorModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModelCache.class);
    private static final ConcurrentHashMap<ModelSpec, Slot> CACHE = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModelCache::closeAll, "immunobench-model-cache"));
    }

    private ExecutorModelCache() {
    }

    /** The model for {@code spec} (whose options name the device), loading it on first use in this JVM. */
    public static CausalLm get(ModelSpec spec) {
        // The slot, not computeIfAbsent, does the loading: a multi-second load inside computeIfAbsent would block
        // unrelated keys that share the map bin.
        Slot slot = CACHE.computeIfAbsent(spec, Slot::new);
        try {
            return slot.model();
        } catch (RuntimeException | Error e) {
            CACHE.remove(spec, slot); // let a retried task try again
            throw e;
        }
    }

    /** Models loaded by this JVM since start (for tests and logs). */
    public static int loadCount() {
        return LOADS.get();
    }

    /** Closes and forgets every cached model. Only safe when no task is using one. */
    public static void closeAll() {
        for (ModelSpec key : CACHE.keySet()) {
            Slot slot = CACHE.remove(key);
            if (slot != null) {
                slot.close();
            }
        }
    }

    private static final class Slot {
        private final ModelSpec spec;
        private CausalLm model;

        Slot(ModelSpec spec) {
            this.spec = spec;
        }

        synchronized CausalLm model() {
            if (model == null) {
                long t0 = System.nanoTime();
                model = CausalLm.load(Path.of(spec.path()), spec.options());
                LOADS.incrementAndGet();
                LOG.info("loaded model {} on {} ({} threads) in {} ms", spec.path(), spec.options().device(),
                        spec.options().intraOpThreads(), (System.nanoTime() - t0) / 1_000_000);
            }
            return model;
        }

        synchronized void close() {
            if (model != null) {
                model.close();
                model = null;
            }
        }
    }
}
