package org.immunobench.training.bench;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingCallback;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Training throughput of trainers sharing one JVM, on a toy-world-sized Llama (V 464, D 128, I 344, 4 layers, 4
 * heads, 2 kv heads; rows of 30–48 tokens, batch 8): (a) one trainer with 1 libtorch intra-op thread, (b) one trainer
 * with 2, (c) two trainers at once on two threads with 1 intra-op thread each. Every trainer runs on a fresh thread
 * and sets its own intra-op count through {@link TrainerConfig#intraOpThreads()}. Tokens/s are the trainer's own
 * figure (real tokens, padding not counted); the aggregate of (c) is the sum of both trainers', which start together
 * and run the same number of steps. A program that prints figures; nothing here is asserted.
 *
 * <p>Run it with {@code immunobench bench training} (its {@code --help} lists the options).
 */
public final class ConcurrentTrainingBenchmark {
    static final ModelConfig TOY = ModelConfig.llama(464, 128, 344, 4, 4, 2, 64);
    static final int ROWS = 512;

    private ConcurrentTrainingBenchmark() {
    }

    /**
     * @param steps optimiser steps per measured run
     * @param warmup warm-up steps per setting, not measured
     * @param batch rows per step
     */
    public static void run(int steps, int warmup, int batch) throws Exception {
        DjlRuntime.start(1);
        System.out.printf(Locale.ROOT, "toy Llama V %d D %d I %d L %d H %d/%d, %.2fM params; batch %d, rows 30-48"
                + " tokens; %d steps per run after %d warm-up steps per setting; %d CPUs, load average %.2f%n",
                TOY.vocabSize(), TOY.hiddenSize(), TOY.intermediateSize(), TOY.numLayers(), TOY.numHeads(),
                TOY.numKvHeads(), TOY.parameterCount() / 1e6, batch, steps, warmup,
                Runtime.getRuntime().availableProcessors(), loadAverage());

        runSingle(warmup, batch, 1);
        runSingle(warmup, batch, 2);
        runConcurrent(warmup, batch);

        double[] a = runSingle(steps, batch, 1);
        System.out.printf(Locale.ROOT, "(a) 1 trainer, 1 intra-op thread:    %8.0f tok/s (%.1f s)%n", a[0], a[1]);
        double[] b = runSingle(steps, batch, 2);
        System.out.printf(Locale.ROOT, "(b) 1 trainer, 2 intra-op threads:   %8.0f tok/s (%.1f s)%n", b[0], b[1]);
        double[] c = runConcurrent(steps, batch);
        System.out.printf(Locale.ROOT, "(c) 2 concurrent trainers, 1 each:   %8.0f tok/s aggregate (trainer 1 %.0f,"
                + " trainer 2 %.0f tok/s; %.1f s wall, finished %.1f s apart)%n", c[0] + c[1], c[0], c[1], c[2], c[3]);
        System.out.printf(Locale.ROOT, "aggregate (c) / (a) = %.2f, (c) / (b) = %.2f, (b) / (a) = %.2f;"
                + " load average after %.2f%n", (c[0] + c[1]) / a[0], (c[0] + c[1]) / b[0], b[0] / a[0],
                loadAverage());
    }

    /** One trainer on a fresh thread; {tokens/s, wall seconds}. */
    static double[] runSingle(int steps, int batch, int intraOpThreads) throws Exception {
        long t0 = System.nanoTime();
        TrainingResult r = onNewThread("bench-single", () -> train(1, steps, batch, intraOpThreads, null)).get();
        return new double[] {r.tokensPerSecond(), (System.nanoTime() - t0) / 1e9};
    }

    /** Two trainers on two fresh threads, released together; {tok/s 1, tok/s 2, wall s, gap between finishes s}. */
    static double[] runConcurrent(int steps, int batch) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        long[] finished = new long[2];
        List<FutureTask<TrainingResult>> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int trainer = i;
            tasks.add(onNewThread("bench-concurrent-" + i, () -> {
                TrainingResult r = train(2 + trainer, steps, batch, 1, go);
                finished[trainer] = System.nanoTime();
                return r;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        TrainingResult r1 = get(tasks.get(0));
        TrainingResult r2 = get(tasks.get(1));
        double wall = (Math.max(finished[0], finished[1]) - t0) / 1e9;
        return new double[] {r1.tokensPerSecond(), r2.tokensPerSecond(), wall,
                Math.abs(finished[0] - finished[1]) / 1e9};
    }

    /** A fresh random model trained for {@code steps} on this trainer's own data; waits for {@code go} if given. */
    static TrainingResult train(long seed, int steps, int batch, int intraOpThreads, CountDownLatch go)
            throws InterruptedException {
        List<TrainingExample> data = rows(seed);
        TrainerConfig cfg = TrainerConfig.defaults(1e-3, steps, batch).withLogEvery(0).withSeed(seed)
                .withSchedule(LrSchedule.Decay.COSINE, Math.min(steps / 10, 50)).withWeightDecay(0.01)
                .withIntraOpThreads(intraOpThreads);
        try (LlamaWeights w = LlamaWeights.fromHost(TOY, RandomInit.weights(TOY, seed), Device.cpu())) {
            if (go != null) {
                go.await();
            }
            TrainingResult r = new Trainer().run(w, data, cfg, TrainingCallback.NONE);
            if (r.diverged()) {
                throw new IllegalStateException("benchmark run diverged: " + r.reason());
            }
            return r;
        }
    }

    /** {@link #ROWS} random rows of 30–48 tokens, the first 6–12 of them a prompt without loss. */
    static List<TrainingExample> rows(long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            int[] tokens = new int[30 + random.nextInt(19)];
            for (int j = 0; j < tokens.length; j++) {
                tokens[j] = 4 + random.nextInt(TOY.vocabSize() - 4);
            }
            out.add(TrainingExample.lossFrom(tokens, 6 + random.nextInt(7)));
        }
        return out;
    }

    private static <T> FutureTask<T> onNewThread(String name, java.util.concurrent.Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        new Thread(task, name).start();
        return task;
    }

    private static <T> T get(FutureTask<T> task) throws InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("benchmark trainer failed", e.getCause());
        }
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
