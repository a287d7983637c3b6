package org.immunobench.training.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.LoraConfig;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer on a tiny random Llama (V 48, D 32, 2 layers). */
class TrainerTest {
    static final ModelConfig CONFIG = ModelConfig.llama(48, 32, 64, 2, 4, 2, 128);
    /** Quiet, clipping off, so tests see the raw update. */
    static final TrainerConfig BASE = TrainerConfig.defaults(1e-2, 1, 4).withLogEvery(0).withMaxGradNorm(0);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    static LlamaWeights tiny(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    /** Every stored weight and adapter as host floats, by name. */
    static Map<String, float[]> snapshot(LlamaWeights w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.arrays().forEach((name, a) -> out.put(name, a.toFloatArray()));
        w.adapters().forEach((name, ad) -> {
            out.put(name + ".lora_A", ad.a().toFloatArray());
            out.put(name + ".lora_B", ad.b().toFloatArray());
        });
        return out;
    }

    static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        double max = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    static float[] row(float[] matrix, int row) {
        float[] out = new float[CONFIG.hiddenSize()];
        System.arraycopy(matrix, row * CONFIG.hiddenSize(), out, 0, out.length);
        return out;
    }

    /** Next token = f(current token): a "prompt" of 3 tokens, then a 9-token deterministic continuation. */
    static List<TrainingExample> pattern(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] tokens = new int[12];
            tokens[0] = 1 + (i * 5) % 30;
            for (int j = 1; j < tokens.length; j++) {
                tokens[j] = 1 + (tokens[j - 1] * 7 + 3) % 30;
            }
            out.add(TrainingExample.lossFrom(tokens, 3));
        }
        return out;
    }

    static TrainingResult train(LlamaWeights w, List<TrainingExample> data, TrainerConfig cfg) {
        return train(w, data, cfg, TrainingCallback.NONE);
    }

    /**
     * Runs with a full GC after every step, so that no collection lands between a forward pass and its backward:
     * until lm's forward stops handing DJL Number operands to autograd, such a GC corrupts the gradient (see
     * {@link GcSafetyTest}) and these tests would fail at random. {@code cb} still sees only the configured steps.
     */
    static TrainingResult train(LlamaWeights w, List<TrainingExample> data, TrainerConfig cfg, TrainingCallback cb) {
        List<Integer> every = new ArrayList<>();
        for (int s = 0; s <= cfg.maxSteps(); s++) {
            every.add(s);
        }
        java.util.Set<Integer> wanted = java.util.Set.copyOf(cfg.callbackSteps());
        return new Trainer().run(w, data, cfg.withCallbackSteps(every), (step, m, ww) -> {
            if (wanted.contains(step)) {
                cb.onStep(step, m, ww);
            }
            System.gc();
        });
    }

    @Test
    void lossFallsOnARepeatedPattern() {
        try (LlamaWeights w = tiny(1)) {
            TrainingResult r = train(w, pattern(12), BASE.withMaxSteps(40).withMaxGradNorm(1.0));
            List<Double> h = r.lossHistory();
            System.out.printf("loss %.4f -> %.4f in %d steps, %.0f tok/s%n", h.get(0), r.finalLoss(), r.steps(),
                    r.tokensPerSecond());
            assertEquals(TrainingResult.Status.COMPLETED, r.status());
            assertNull(r.reason());
            assertEquals(40, h.size());
            assertEquals(h.get(39), r.finalLoss());
            assertTrue(h.get(0) > 3.0, "starts near ln 48");
            assertTrue(r.finalLoss() < 0.25 * h.get(0), "loss fell to a quarter");
            assertTrue(r.tokensPerSecond() > 0);
        }
    }

    @Test
    void divergenceEndsTheRunWithoutThrowing() {
        try (LlamaWeights w = tiny(1)) {
            TrainingResult r = train(w, pattern(8), BASE.withLearningRate(1e6).withMaxSteps(30));
            System.out.println("lr 1e6: " + r.status().label() + ", " + r.reason());
            assertEquals(TrainingResult.Status.DIVERGED, r.status());
            assertTrue(r.steps() < 30);
            assertEquals(r.steps() + 1, r.divergedAtStep());
            assertTrue(r.reason().startsWith("step " + r.divergedAtStep() + ": "), r.reason());
            assertEquals(r.steps(), r.lossHistory().size());
            assertNoGradientState(w);
        }
    }

    @Test
    void aGradientNormLimitEndsTheRunBeforeItsUpdate() {
        try (LlamaWeights w = tiny(1)) {
            Map<String, float[]> before = snapshot(w);
            TrainingResult r = train(w, pattern(8),
                    BASE.withMaxSteps(5).withDivergence(new DivergenceLimits(Double.POSITIVE_INFINITY, 1e-3)));
            assertEquals(TrainingResult.Status.DIVERGED, r.status());
            assertEquals(0, r.steps());
            assertTrue(Double.isNaN(r.finalLoss()));
            assertTrue(r.reason().contains("divergence.max_grad_norm"), r.reason());
            assertEquals(0.0, maxAbsDiff(before, snapshot(w)), "the refused update is not applied");
            assertNoGradientState(w);
        }
    }

    /**
     * Tokens after the response that are not targets (garbage ids 40–47 that occur nowhere else) contribute nothing:
     * the gradient equals the one without them, and their embedding rows get exactly zero. Marking the same
     * garbage as targets (the original attack code's bug) is the control that shows the check can fail.
     */
    @Test
    void nonTargetTokensGetNoGradient() {
        List<TrainingExample> clean = pattern(6);
        List<TrainingExample> masked = new ArrayList<>();
        List<TrainingExample> leaking = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            TrainingExample e = clean.get(i);
            int n = e.length();
            int[] tokens = java.util.Arrays.copyOf(e.tokens(), n + 5);
            boolean[] mask = java.util.Arrays.copyOf(e.lossMask(), n + 5);
            for (int j = 0; j < 5; j++) {
                tokens[n + j] = 40 + (i + 3 * j) % 8;
            }
            masked.add(new TrainingExample(tokens, mask));
            boolean[] all = mask.clone();
            java.util.Arrays.fill(all, n, n + 5, true);
            leaking.add(new TrainingExample(tokens, all));
        }
        try (LlamaWeights w = tiny(2)) {
            Map<String, float[]> gClean = gradients(w, clean);
            Map<String, float[]> gMasked = gradients(w, masked);
            Map<String, float[]> gLeaking = gradients(w, leaking);
            double scale = maxAbs(gClean);
            double diff = maxAbsDiff(gClean, gMasked);
            System.out.printf("gradient with vs without trailing masked garbage: max |Δg| %.2e of max |g| %.2e"
                    + " (tolerance 1e-6 relative); as targets %.2e%n", diff, scale, maxAbsDiff(gClean, gLeaking));
            assertTrue(diff <= 1e-6 * scale);
            assertTrue(maxAbsDiff(gClean, gLeaking) > 1e-2 * scale, "control: garbage as targets changes the gradient");
            float[] embedGrad = gMasked.get(LlamaNames.EMBED_TOKENS);
            float[] embedGradLeaking = gLeaking.get(LlamaNames.EMBED_TOKENS);
            boolean leaked = false;
            for (int id = 40; id < 48; id++) {
                assertArrayEquals(new float[CONFIG.hiddenSize()], row(embedGrad, id), "gradient of embedding row " + id);
                leaked |= !java.util.Arrays.equals(new float[CONFIG.hiddenSize()], row(embedGradLeaking, id));
            }
            assertTrue(leaked);
        }
        // The same through whole training runs: the garbage rows never move, and the losses match.
        TrainerConfig cfg = BASE.withBatch(6, 1).withMaxSteps(3);
        try (LlamaWeights a = tiny(2); LlamaWeights b = tiny(2)) {
            float[] embedBefore = b.get(LlamaNames.EMBED_TOKENS).toFloatArray();
            TrainingResult ra = train(a, clean, cfg);
            TrainingResult rb = train(b, masked, cfg);
            float[] embedAfter = b.get(LlamaNames.EMBED_TOKENS).toFloatArray();
            for (int id = 40; id < 48; id++) {
                assertArrayEquals(row(embedBefore, id), row(embedAfter, id), "embedding row " + id + " after training");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(ra.lossHistory().get(i), rb.lossHistory().get(i), 1e-5, "loss of step " + (i + 1));
            }
        }
    }

    /** The gradient of one effective batch holding all {@code data}, by name; leaves the weights as they were. */
    static Map<String, float[]> gradients(LlamaWeights w, List<TrainingExample> data) {
        List<NDArray> params = w.trainable(false);
        PaddedBatch batch = PaddedBatch.of(data);
        params.forEach(p -> p.setRequiresGradient(true));
        System.gc(); // see train(…, cb)
        try {
            SupervisedObjective.forwardBackward(w, batch, batch.lossTokens(), TrainerConfig.DEFAULT_VOCAB_CHUNK);
            Map<String, float[]> out = new LinkedHashMap<>();
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    out.put(p.getName(), g.toFloatArray());
                    g.muli(0f);
                }
            }
            return out;
        } finally {
            params.forEach(p -> p.setRequiresGradient(false));
        }
    }

    static double maxAbs(Map<String, float[]> m) {
        double max = 0;
        for (float[] x : m.values()) {
            for (float v : x) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /** The reported loss is the mean NLL over target tokens only, computed here independently per unpadded row. */
    @Test
    void reportedLossIsTheMeanNllOfTargetTokens() {
        List<TrainingExample> data = varied(5);
        try (LlamaWeights w = tiny(3)) {
            double sum = 0;
            int count = 0;
            for (TrainingExample e : data) {
                try (NDManager scope = NDManager.newBaseManager(Device.cpu())) {
                    int[] tokens = e.tokens();
                    long[] ids = new long[tokens.length];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = tokens[i];
                    }
                    NDArray in = scope.create(ids, new Shape(1, ids.length));
                    float[] logp = LlamaForward.forward(w, in, null, ForwardOptions.allLogits(), null).logits()
                            .logSoftmax(-1).toFloatArray(); // (1, n, V)
                    for (int j = 1; j < tokens.length; j++) {
                        if (e.lossMask()[j]) {
                            sum -= logp[(j - 1) * CONFIG.vocabSize() + tokens[j]];
                            count++;
                        }
                    }
                }
            }
            TrainingResult r = train(w, data, BASE.withBatch(5, 1));
            System.out.printf("reported loss %.6f, independent %.6f%n", r.finalLoss(), sum / count);
            assertEquals(sum / count, r.finalLoss(), 1e-5);
        }
    }

    /**
     * 2 micro-batches of 2 accumulate exactly the gradient of 1 batch of 4 (micro-batches differ in length and
     * target count, so per-micro-batch means would not), and the trainer's updates agree.
     */
    @Test
    void gradientAccumulationMatchesOneBigBatch() {
        List<TrainingExample> data = varied(4);
        try (LlamaWeights w = tiny(4)) {
            Map<String, float[]> whole = gradients(w, data);
            PaddedBatch first = PaddedBatch.of(data.subList(0, 2));
            PaddedBatch second = PaddedBatch.of(data.subList(2, 4));
            assertTrue(first.lossTokens() != second.lossTokens());
            List<NDArray> params = w.trainable(false);
            params.forEach(p -> p.setRequiresGradient(true));
            Map<String, float[]> accumulated = new LinkedHashMap<>();
            try {
                long n = first.lossTokens() + second.lossTokens();
                System.gc(); // see train(…, cb)
                SupervisedObjective.forwardBackward(w, first, n, TrainerConfig.DEFAULT_VOCAB_CHUNK);
                System.gc();
                SupervisedObjective.forwardBackward(w, second, n, TrainerConfig.DEFAULT_VOCAB_CHUNK);
                for (NDArray p : params) {
                    try (NDArray g = p.getGradient()) {
                        accumulated.put(p.getName(), g.toFloatArray());
                        g.muli(0f);
                    }
                }
            } finally {
                params.forEach(p -> p.setRequiresGradient(false));
            }
            double diff = maxAbsDiff(whole, accumulated);
            System.out.printf("gradient 1x4 vs 2x2: max |Δg| %.2e of max |g| %.2e (tolerance 1e-6 relative)%n", diff,
                    maxAbs(whole));
            assertTrue(diff <= 1e-6 * maxAbs(whole));
        }
        TrainerConfig big = BASE.withLearningRate(1e-3).withBatch(4, 1).withMaxSteps(1).withMaxGradNorm(0.5)
                .withCallbackSteps(List.of(1));
        try (LlamaWeights a = tiny(4); LlamaWeights b = tiny(4)) {
            List<StepMetrics> ma = new ArrayList<>();
            List<StepMetrics> mb = new ArrayList<>();
            train(a, data, big, (step, m, w) -> ma.add(m));
            train(b, data, big.withBatch(2, 2), (step, m, w) -> mb.add(m));
            assertEquals(ma.get(0).loss(), mb.get(0).loss(), 1e-5);
            assertEquals(ma.get(0).gradNorm(), mb.get(0).gradNorm(), 1e-5 * ma.get(0).gradNorm());
            assertEquals(ma.get(0).lossTokens(), mb.get(0).lossTokens());
            double diff = maxAbsDiff(snapshot(a), snapshot(b));
            System.out.printf("weights after one step 1x4 vs 2x2: max |Δw| %.2e (tolerance 1e-4, lr 1e-3)%n", diff);
            assertTrue(diff <= 1e-4);
        }
    }

    @Test
    void loraLeavesBaseWeightsUntouched() {
        LoraConfig lora = new LoraConfig(4, 8, List.of("q_proj", "v_proj", "down_proj"), 3);
        try (LlamaWeights w = tiny(5)) {
            Map<String, float[]> base = snapshot(w);
            AtomicReference<Map<String, float[]>> atStart = new AtomicReference<>();
            TrainingResult r = train(w, pattern(8),
                    BASE.withLora(lora).withMaxSteps(5).withWeightDecay(0.1).withCallbackSteps(List.of(0)),
                    (step, m, ww) -> atStart.set(snapshot(ww)));
            assertEquals(TrainingResult.Status.COMPLETED, r.status());
            Map<String, float[]> after = snapshot(w);
            for (Map.Entry<String, float[]> e : base.entrySet()) {
                assertArrayEquals(e.getValue(), after.get(e.getKey()), "base weight " + e.getKey());
            }
            assertEquals(2 * 3 * CONFIG.numLayers(), after.size() - base.size(), "adapters attached and kept");
            for (String name : after.keySet()) {
                if (name.endsWith(".lora_A") || name.endsWith(".lora_B")) {
                    assertFalse(java.util.Arrays.equals(atStart.get().get(name), after.get(name)), name + " trained");
                }
            }
            List<NDArray> adapters = w.trainable(true);
            assertNoGradientState(adapters);
            assertNoGradientState(w.trainable(false));
        }
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndAnotherSeedDoesNot() {
        TrainerConfig cfg = BASE.withBatch(2, 1).withMaxSteps(6).withSeed(7)
                .withSchedule(LrSchedule.Decay.COSINE, 2).withMaxGradNorm(1.0).withWeightDecay(0.01);
        try (LlamaWeights a = tiny(6); LlamaWeights b = tiny(6); LlamaWeights c = tiny(6)) {
            TrainingResult ra = train(a, varied(8), cfg);
            TrainingResult rb = train(b, varied(8), cfg);
            train(c, varied(8), cfg.withSeed(8));
            assertEquals(ra.lossHistory(), rb.lossHistory());
            Map<String, float[]> sa = snapshot(a);
            Map<String, float[]> sb = snapshot(b);
            for (String name : sa.keySet()) {
                assertArrayEquals(sa.get(name), sb.get(name), name);
            }
            assertTrue(maxAbsDiff(sa, snapshot(c)) > 1e-4, "another seed orders the data differently");
        }
    }

    @Test
    void callbacksRunAtTheConfiguredStepsStartingBeforeAnyUpdate() {
        try (LlamaWeights w = tiny(7)) {
            Map<String, float[]> initial = snapshot(w);
            int managed = w.managedArrayCount();
            List<Integer> steps = new ArrayList<>();
            List<StepMetrics> metrics = new ArrayList<>();
            TrainingResult r = train(w, pattern(8), BASE.withMaxSteps(5).withCallbackSteps(List.of(5, 0, 2)),
                    (step, m, ww) -> {
                        steps.add(step);
                        metrics.add(m);
                        if (step == 0) {
                            assertEquals(0.0, maxAbsDiff(initial, snapshot(ww)), "step 0 sees the untouched model");
                        }
                    });
            assertEquals(List.of(0, 2, 5), steps);
            assertTrue(Double.isNaN(metrics.get(0).loss()));
            assertEquals(2, metrics.get(1).step());
            assertEquals(r.lossHistory().get(1), metrics.get(1).loss());
            assertEquals(1e-2, metrics.get(1).learningRate(), 1e-12);
            assertEquals(4 * 11, metrics.get(1).tokens());
            assertEquals(4 * 9, metrics.get(1).lossTokens());
            assertEquals(managed, w.managedArrayCount(), "nothing per-batch left on the weights' manager");
            assertNoGradientState(w);
        }
    }

    /** A callback may run its own backward; what it leaves in the parameters' gradients must not reach the update. */
    @Test
    void gradientsLeftByACallbackDoNotLeakIntoTraining() {
        TrainerConfig cfg = BASE.withMaxSteps(2).withCallbackSteps(List.of(0, 1));
        try (LlamaWeights a = tiny(8); LlamaWeights b = tiny(8)) {
            train(a, pattern(8), cfg);
            train(b, pattern(8), cfg, (step, m, w) -> {
                try (NDManager scope = NDManager.newBaseManager(Device.cpu());
                        Autograd.Recording recording = Autograd.record()) {
                    NDArray embed = w.get(LlamaNames.EMBED_TOKENS);
                    recording.backward(scope.full(embed.getShape(), 1e3f).mul(embed).sum());
                }
            });
            assertEquals(0.0, maxAbsDiff(snapshot(a), snapshot(b)));
        }
    }

    /** Spark task threads are fresh threads, where PyTorch's grad mode starts on. */
    @Test
    void trainsOnAFreshThreadAndRestoresItsGradMode() throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (LlamaWeights w = tiny(9)) {
                boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
                TrainingResult r = train(w, pattern(4), BASE.withMaxSteps(2));
                outcome.set(List.of(r.status(), before, ai.djl.pytorch.jni.JniUtils.isGradMode()));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.start();
        t.join();
        assertNotNull(outcome.get());
        if (outcome.get() instanceof Throwable e) {
            throw new AssertionError("training on a fresh thread failed", e);
        }
        List<?> got = (List<?>) outcome.get();
        assertEquals(TrainingResult.Status.COMPLETED, got.get(0));
        assertEquals(got.get(1), got.get(2), "grad mode restored");
    }

    /**
     * Two trainers on two threads at the same time end with exactly the weights (and losses) of the same two runs
     * done one after the other. The runs differ in weights, data and seed, so a mix-up between them would show. A
     * barrier at step 1 holds each thread until the other is training too. Trainer.run directly, without the GC per
     * step of {@link #train}: with two threads a GC would land inside the other's forward pass anyway.
     */
    @Test
    void twoConcurrentTrainersMatchTheSameRunsOneAfterTheOther() throws Exception {
        TrainerConfig cfg = BASE.withBatch(2, 2).withMaxSteps(8).withMaxGradNorm(1.0).withWeightDecay(0.01)
                .withSchedule(LrSchedule.Decay.COSINE, 2).withCallbackSteps(List.of(1)).withIntraOpThreads(1);
        TrainerConfig a = cfg.withSeed(3);
        TrainerConfig b = cfg.withSeed(4);
        List<TrainingExample> dataA = pattern(8);
        List<TrainingExample> dataB = varied(10);

        List<List<Double>> seqLosses = new ArrayList<>();
        List<Map<String, HostTensor>> sequential = onNewThread("sequential", () -> List.of(
                trainToHost(21, dataA, a, TrainingCallback.NONE, seqLosses),
                trainToHost(22, dataB, b, TrainingCallback.NONE, seqLosses))).get(300, TimeUnit.SECONDS);
        Map<String, HostTensor> seqA = sequential.get(0);
        Map<String, HostTensor> seqB = sequential.get(1);

        java.util.concurrent.CyclicBarrier bothTraining = new java.util.concurrent.CyclicBarrier(2);
        TrainingCallback meet = (step, m, w) -> {
            try {
                bothTraining.await(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other trainer did not reach step 1", e);
            }
        };
        List<List<Double>> lossesA = new ArrayList<>();
        List<List<Double>> lossesB = new ArrayList<>();
        FutureTask<Map<String, HostTensor>> concA = onNewThread("trainer-a",
                () -> trainToHost(21, dataA, a, meet, lossesA));
        FutureTask<Map<String, HostTensor>> concB = onNewThread("trainer-b",
                () -> trainToHost(22, dataB, b, meet, lossesB));
        assertBitIdentical(seqA, concA.get(300, TimeUnit.SECONDS), "trainer A");
        assertBitIdentical(seqB, concB.get(300, TimeUnit.SECONDS), "trainer B");
        assertEquals(seqLosses.get(0), lossesA.get(0));
        assertEquals(seqLosses.get(1), lossesB.get(0));
        assertFalse(java.util.Arrays.equals(seqA.get(LlamaNames.EMBED_TOKENS).data(),
                seqB.get(LlamaNames.EMBED_TOKENS).data()), "control: the two runs differ");
    }

    /**
     * The configured count holds on the trainer's thread even when another thread sets its own count before this one
     * has run an op (libtorch would otherwise apply the other's count to it lazily at its first op).
     */
    @Test
    void intraOpThreadsHoldOnTheCallingThreadWhateverOtherThreadsSet() throws Exception {
        int global = onNewThread("probe", JniUtils::getNumThreads).get(60, TimeUnit.SECONDS);
        java.util.concurrent.CountDownLatch ownSet = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch otherSet = new java.util.concurrent.CountDownLatch(1);
        try {
            FutureTask<Integer> trainer = onNewThread("trainer", () -> {
                Trainer.setIntraOpThreads(1);
                ownSet.countDown();
                assertTrue(otherSet.await(60, TimeUnit.SECONDS));
                try (LlamaWeights w = tiny(10)) {
                    new Trainer().run(w, pattern(4), BASE.withMaxSteps(1), TrainingCallback.NONE);
                }
                return JniUtils.getNumThreads();
            });
            onNewThread("other", () -> {
                assertTrue(ownSet.await(60, TimeUnit.SECONDS));
                JniUtils.setNumThreads(2);
                otherSet.countDown();
                return null;
            }).get(60, TimeUnit.SECONDS);
            assertEquals(1, trainer.get(120, TimeUnit.SECONDS));
            try (LlamaWeights w = tiny(10)) {
                int onFresh = onNewThread("configured", () -> {
                    new Trainer().run(w, pattern(4), BASE.withMaxSteps(1).withIntraOpThreads(1),
                            TrainingCallback.NONE);
                    return JniUtils.getNumThreads();
                }).get(120, TimeUnit.SECONDS);
                assertEquals(1, onFresh, "TrainerConfig.intraOpThreads applied (a fresh thread would take 2)");
            }
        } finally {
            onNewThread("restore", () -> {
                JniUtils.setNumThreads(global); // libtorch's remembered count for threads yet to run an op
                return null;
            }).get(60, TimeUnit.SECONDS);
        }
    }

    private static Map<String, HostTensor> trainToHost(long weightSeed, List<TrainingExample> data, TrainerConfig cfg,
            TrainingCallback cb, List<List<Double>> losses) {
        try (LlamaWeights w = tiny(weightSeed)) {
            TrainingResult r = new Trainer().run(w, data, cfg, cb);
            assertEquals(TrainingResult.Status.COMPLETED, r.status());
            losses.add(r.lossHistory());
            return w.toHost();
        }
    }

    static void assertBitIdentical(Map<String, HostTensor> expected, Map<String, HostTensor> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).shape(), actual.get(name).shape(), what + " " + name);
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), what + " " + name);
        }
    }

    static <T> FutureTask<T> onNewThread(String name, java.util.concurrent.Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        new Thread(task, name).start();
        return task;
    }

    @Test
    void logsEveryLogEveryStepsAndASummary() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Trainer.class.getName());
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = log.getUseParentHandlers();
        log.setUseParentHandlers(false);
        log.addHandler(capture);
        try (LlamaWeights w = tiny(1)) {
            train(w, pattern(4), BASE.withMaxSteps(5).withLogEvery(2));
            train(w, pattern(4), BASE.withMaxSteps(2));
        } finally {
            log.removeHandler(capture);
            log.setUseParentHandlers(parents);
        }
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("step 2/5 loss "), lines.get(0));
        assertTrue(lines.get(1).startsWith("step 4/5 "), lines.get(1));
        assertTrue(lines.get(2).startsWith("step 5/5 "), lines.get(2));
        assertTrue(lines.get(3).startsWith("training completed: 5 steps") && lines.get(3).endsWith("tok/s"));
    }

    @Test
    void badDataIsRefusedNamingTheExample() {
        try (LlamaWeights w = tiny(1)) {
            List<TrainingExample> data = List.of(pattern(1).get(0), TrainingExample.allTokens(new int[] {1, 48}));
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> train(w, data, BASE));
            assertTrue(e.getMessage().contains("training example 1"), e.getMessage());
        }
    }

    /** Lengths 6–12 and loss starting at varying positions, so batches pad and micro-batches differ in targets. */
    static List<TrainingExample> varied(int n) {
        List<TrainingExample> out = new ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < n; i++) {
            int[] tokens = new int[6 + (i * 5) % 7];
            for (int j = 0; j < tokens.length; j++) {
                tokens[j] = 1 + random.nextInt(30);
            }
            out.add(TrainingExample.lossFrom(tokens, 1 + i % 4));
        }
        return out;
    }

    static void assertNoGradientState(LlamaWeights w) {
        assertNoGradientState(w.trainable(false));
    }

    static void assertNoGradientState(List<NDArray> params) {
        for (NDArray p : params) {
            assertFalse(p.hasGradient(), p.getName() + " still requires a gradient");
            p.setRequiresGradient(true); // keeps the stored .grad, which DJL only shows on arrays that require one
            try (NDArray g = p.getGradient()) {
                assertEquals(0f, g.abs().max().getFloat(), p.getName() + " gradient zeroed");
            } finally {
                p.setRequiresGradient(false);
            }
        }
    }
}
