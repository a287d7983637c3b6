package org.immunobench.training.bench;

import ai.djl.Device;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Scoring in f32, bf16 and f16 on the CPU: tokens per second of wall time and per second of the scoring thread's CPU
 * time (with one libtorch thread the ops run on the calling thread, so the latter barely moves with machine load),
 * and how far each reduced dtype's per-token NLL is from f32's on the same weights (mean and max |Δ| in nats, and the
 * relative change of the mean NLL). Figures only.
 *
 * <p>{@code java … DtypeBenchmark [threads] [sizes|checkpoint-dir] [batch] [seq]}: sizes from
 * {@link LmBenchmark#SIZES} (default 1M,10M; random N(0, 0.02²) weights), or an HF checkpoint directory (scored on
 * random token rows of its vocabulary).
 */
public final class DtypeBenchmark {
    private DtypeBenchmark() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        String what = args.length > 1 ? args[1] : "1M,10M";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int seq = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        DjlRuntime.start(threads);
        System.out.printf(Locale.ROOT, "dtype benchmark: %d thread(s), batch %d x %d tokens%n", threads, batch, seq);
        System.out.println("model   dtype  tok/s wall  tok/s CPU  mean|dNLL|  max|dNLL|  rel. mean NLL change");
        if (java.nio.file.Files.isDirectory(Path.of(what))) {
            CheckpointReader.LoadedCheckpoint c = CheckpointReader.read(Path.of(what));
            run(Path.of(what).getFileName().toString(), c.config(), c.tensors(), threads, batch, seq);
            return;
        }
        for (String size : what.split(",")) {
            int[] s = LmBenchmark.SIZES.get(size);
            if (s == null) {
                throw new IllegalArgumentException("size '" + size + "' is not one of " + LmBenchmark.SIZES.keySet());
            }
            ModelConfig c = ModelConfig.llama(s[0], s[1], s[2], s[3], s[4], s[4], Math.max(256, seq));
            run(size, c, RandomInit.weights(c, 0), threads, batch, seq);
        }
    }

    private static void run(String name, ModelConfig c, Map<String, HostTensor> host, int threads, int batch,
            int seq) {
        Random random = new Random(1);
        List<ScoringInput> inputs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int[] row = new int[seq];
            for (int j = 0; j < seq; j++) {
                row[j] = random.nextInt(c.vocabSize());
            }
            inputs.add(new ScoringInput(row, 0));
        }
        RuntimeOptions options = RuntimeOptions.cpu().withThreads(threads).withBatching(batch * seq, batch);
        List<float[]> reference = null;
        // two rounds: the first one also warms up libtorch's allocator and kernels for every dtype
        List<ComputeDtype> order = new ArrayList<>(List.of(ComputeDtype.values()));
        order.addAll(List.of(ComputeDtype.values()));
        for (int round = 0; round < order.size(); round++) {
            ComputeDtype d = order.get(round);
            boolean report = round >= ComputeDtype.values().length;
            try (LlamaWeights w = LlamaWeights.fromHost(c, host, Device.cpu(), d)) {
                Scorer scorer = new Scorer(w, options, seq);
                List<float[]> nll = scorer.tokenNlls(inputs); // warm-up, and the figures compared
                int reps = 2;
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    scorer.tokenNlls(inputs);
                }
                double tps = (double) batch * seq * reps / ((System.nanoTime() - t0) / 1e9);
                double cpuTps = (double) batch * seq * reps / ((mx.getCurrentThreadCpuTime() - c0) / 1e9);
                if (reference == null) {
                    reference = nll;
                }
                double sumAbs = 0;
                double max = 0;
                double sumRef = 0;
                double sumThis = 0;
                long n = 0;
                for (int i = 0; i < nll.size(); i++) {
                    for (int j = 0; j < nll.get(i).length; j++) {
                        double diff = Math.abs((double) nll.get(i)[j] - reference.get(i)[j]);
                        sumAbs += diff;
                        max = Math.max(max, diff);
                        sumRef += reference.get(i)[j];
                        sumThis += nll.get(i)[j];
                        n++;
                    }
                }
                if (report) {
                    System.out.printf(Locale.ROOT, "%-7s %-5s %10.0f %10.0f  %10.2e  %9.2e  %+.2e%n", name, d, tps,
                            cpuTps, sumAbs / n, max, (sumThis - sumRef) / sumRef);
                }
            }
        }
    }
}
