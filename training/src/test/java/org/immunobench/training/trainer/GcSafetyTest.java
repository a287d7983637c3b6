package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradients must not depend on when the JVM collects garbage. DJL 0.36 backs a Number operand ({@code x.mul(2f)},
 * {@code pow(-1)}) with a Java direct buffer that it releases right after the op while autograd keeps the tensor for
 * backward; a GC in between frees it and backward reads whatever the memory holds next. Here a second thread
 * keeps collecting and refilling freed direct memory with NaN while the same batch is backpropagated repeatedly.
 */
class GcSafetyTest {
    @Test
    void gradientIsTheSameUnderGcPressure() throws Exception {
        TrainerTest.engine();
        List<TrainingExample> data = TrainerTest.pattern(4);
        try (LlamaWeights w = TrainerTest.tiny(12)) {
            System.gc();
            Map<String, float[]> reference = TrainerTest.gradients(w, data);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread pressure = new Thread(() -> {
                List<ByteBuffer> junk = new ArrayList<>();
                while (running.get()) {
                    System.gc();
                    junk.clear();
                    for (int i = 0; i < 256; i++) {
                        ByteBuffer b = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
                        for (int j = 0; j < 16; j++) {
                            b.putFloat(4 * j, Float.NaN);
                        }
                        junk.add(b);
                    }
                }
            });
            pressure.setDaemon(true);
            pressure.start();
            int bad = 0;
            double worst = 0;
            try {
                for (int rep = 0; rep < 20; rep++) {
                    double diff = TrainerTest.maxAbsDiff(reference, TrainerTest.gradients(w, data));
                    if (!(diff <= 1e-6)) {
                        bad++;
                        worst = Double.isNaN(diff) ? Double.NaN : Math.max(worst, diff);
                    }
                }
            } finally {
                running.set(false);
                pressure.join();
            }
            System.out.println("GC pressure: " + bad + "/20 gradients differed, worst " + worst);
            assertEquals(0, bad, "gradients that changed under GC pressure");
        }
    }
}
