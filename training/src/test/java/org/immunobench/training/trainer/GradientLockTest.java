package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientLockTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** Without the lock the second collector would throw; with it the second thread waits for the first. */
    @Test
    void secondThreadWaitsForTheFirstCollector() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch firstOpen = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        Thread first = new Thread(() -> {
            try (GradientLock.Collector gc = GradientLock.collector()) {
                events.add("first open");
                firstOpen.countDown();
                releaseFirst.await();
                backwardOnce(gc);
                events.add("first done");
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread second = new Thread(() -> {
            try {
                firstOpen.await();
                try (GradientLock.Collector gc = GradientLock.collector()) {
                    events.add("second open");
                    backwardOnce(gc);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        first.start();
        second.start();
        assertTrue(firstOpen.await(30, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!GradientLock.hasQueuedThreads() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(GradientLock.hasQueuedThreads(), "second thread queued on the lock");
        assertEquals(List.of("first open"), events);
        releaseFirst.countDown();
        first.join();
        second.join();
        assertNull(failure.get());
        assertEquals(List.of("first open", "first done", "second open"), events);
        assertFalse(GradientLock.hasQueuedThreads());
    }

    @Test
    void nestedCollectorsOnOneThreadAreRefusedAndTheLockStaysBalanced() {
        try (GradientLock.Collector outer = GradientLock.collector()) {
            assertThrows(IllegalStateException.class, GradientLock::collector);
            assertTrue(GradientLock.isHeldByCurrentThread());
            backwardOnce(outer);
        }
        assertFalse(GradientLock.isHeldByCurrentThread());
    }

    @Test
    void holdSpansSeveralCollectors() {
        try (GradientLock.Held held = GradientLock.hold()) {
            for (int i = 0; i < 2; i++) {
                try (GradientLock.Collector gc = GradientLock.collector()) {
                    backwardOnce(gc);
                }
                assertTrue(GradientLock.isHeldByCurrentThread());
            }
        }
        assertFalse(GradientLock.isHeldByCurrentThread());
    }

    @Test
    void collectorRestoresTheThreadsGradMode() {
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        try (GradientLock.Collector gc = GradientLock.collector()) {
            assertTrue(ai.djl.pytorch.jni.JniUtils.isGradMode());
        }
        assertEquals(before, ai.djl.pytorch.jni.JniUtils.isGradMode());
    }

    private static void backwardOnce(GradientLock.Collector gc) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f});
            x.setRequiresGradient(true);
            gc.backward(x.square().sum());
            assertEquals(4f, x.getGradient().getFloat(1));
        }
    }
}
