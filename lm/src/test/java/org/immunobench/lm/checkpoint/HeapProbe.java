package org.immunobench.lm.checkpoint;

import org.immunobench.lm.CausalLm;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.ScoringInput;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Child-JVM entry point of {@link StreamingLoadHeapTest}: loads a checkpoint with {@link CausalLm#load}, scores two
 * fixed token sequences and prints one line {@code heap-probe peak_heap=<bytes> load_ms=<ms> nll=<a>,<b>}. The peak is
 * the sum over heap pools of each pool's peak usage, which can only overstate the true peak.
 */
public final class HeapProbe {
    private HeapProbe() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        ComputeDtype dtype = ComputeDtype.parse(args[1]);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long t0 = System.nanoTime();
        double[] nll = new double[2];
        long loadMs;
        try (CausalLm lm = CausalLm.load(dir, RuntimeOptions.cpu().withThreads(1).withDtype(dtype))) {
            loadMs = (System.nanoTime() - t0) / 1_000_000;
            List<ScoringInput> inputs = List.of(new ScoringInput(StreamingLoadHeapTest.ROW_A, 1),
                    new ScoringInput(StreamingLoadHeapTest.ROW_B, 3));
            var scores = lm.scorer().score(inputs);
            nll[0] = scores.get(0).nllSum();
            nll[1] = scores.get(1).nllSum();
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "heap-probe peak_heap=%d load_ms=%d nll=%.9f,%.9f%n", peak, loadMs, nll[0],
                nll[1]);
    }
}
