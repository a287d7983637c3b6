package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void nestingIsRefusedAndTheThreadsGradModeIsRestored() {
        boolean original = JniUtils.isGradMode();
        try {
            for (boolean before : new boolean[] {false, true}) {
                JniUtils.setGradMode(before);
                try (Autograd.Recording outer = Autograd.record()) {
                    assertTrue(JniUtils.isGradMode());
                    assertTrue(Autograd.isRecording());
                    IllegalStateException e = assertThrows(IllegalStateException.class, Autograd::record);
                    assertTrue(e.getMessage().contains("nested"), e.getMessage());
                    assertTrue(JniUtils.isGradMode(), "the refused nested recording changed nothing");
                    assertArrayEquals(new float[] {2f, 4f}, backwardOfSquares(outer, new float[] {1f, 2f}));
                }
                assertEquals(before, JniUtils.isGradMode(), "grad mode as before the recording");
                assertFalse(Autograd.isRecording());
                try (Autograd.Recording again = Autograd.record()) {
                    assertTrue(Autograd.isRecording(), "a new recording may open once the last one closed");
                }
                assertEquals(before, JniUtils.isGradMode());
            }
        } finally {
            JniUtils.setGradMode(original);
        }
    }

    @Test
    void aClosedRecordingIsClosedForGoodAndBelongsToItsThread() throws Exception {
        Autograd.Recording r = Autograd.record();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {3f});
            x.setRequiresGradient(true);
            NDArray loss = x.square().sum();
            Throwable fromOther = onNewThread(() -> assertThrows(IllegalStateException.class, () -> r.backward(loss)));
            assertTrue(fromOther.getMessage().contains("belongs to thread"), fromOther.getMessage());
            onNewThread(() -> assertThrows(IllegalStateException.class, r::close));
            assertTrue(Autograd.isRecording(), "a refused close from another thread leaves the recording open");
            r.close();
            r.close(); // a no-op
            assertFalse(Autograd.isRecording());
            assertThrows(IllegalStateException.class, () -> r.backward(loss));
        } finally {
            r.close();
        }
    }

    /** The seed gradient is freed when backward returns; gradients add up over backward passes. */
    @Test
    void backwardAddsToGradientsAndLeavesNoArrayBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 3f});
            x.setRequiresGradient(true);
            for (int pass = 1; pass <= 2; pass++) {
                try (NDManager step = m.newSubManager(); Autograd.Recording r = Autograd.record()) {
                    // Attached to step, the manager of the first operand.
                    NDArray loss = step.ones(x.getShape()).mul(x).square().sum();
                    int before = step.getManagedArrays().size();
                    r.backward(loss);
                    assertEquals(before, step.getManagedArrays().size(), "arrays left on the loss's manager");
                }
                float[] g = x.getGradient().toFloatArray();
                assertArrayEquals(new float[] {2f * pass, -4f * pass, 6f * pass}, g, "after pass " + pass);
            }
        }
    }

    /**
     * Recordings on two threads are open at the same time and both backpropagate inside that overlap: with a
     * JVM-wide lock the second thread would wait forever at the barrier, with DJL's collector it would throw.
     */
    @Test
    void twoThreadsRecordAtTheSameTime() throws Exception {
        CyclicBarrier bothOpen = new CyclicBarrier(2);
        Callable<float[]> task = () -> {
            try (Autograd.Recording r = Autograd.record()) {
                bothOpen.await(30, TimeUnit.SECONDS);
                float[] g = backwardOfSquares(r, new float[] {5f, 6f});
                bothOpen.await(30, TimeUnit.SECONDS);
                return g;
            }
        };
        FutureTask<float[]> a = new FutureTask<>(task);
        FutureTask<float[]> b = new FutureTask<>(task);
        new Thread(a, "autograd-a").start();
        new Thread(b, "autograd-b").start();
        assertArrayEquals(new float[] {10f, 12f}, a.get(60, TimeUnit.SECONDS));
        assertArrayEquals(new float[] {10f, 12f}, b.get(60, TimeUnit.SECONDS));
    }

    /** d Σ x² / dx for a fresh leaf x. */
    private static float[] backwardOfSquares(Autograd.Recording r, float[] values) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(values);
            x.setRequiresGradient(true);
            r.backward(x.square().sum());
            return x.getGradient().toFloatArray();
        }
    }

    private static <T> T onNewThread(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(body);
        new Thread(task).start();
        try {
            return task.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed on the other thread", e.getCause());
        }
    }
}
