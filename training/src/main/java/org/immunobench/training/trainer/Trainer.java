package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.training.optim.AdamW;
import org.immunobench.training.optim.AdamWConfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Supervised next-token training of {@link LlamaWeights} in place: the loop every defence and attack recipe shares.
 * Not a Spark concern and not a recipe — recipes choose data and config and call {@link #run}.
 *
 * <p>Legend: B micro-batch rows, T padded length, D hidden, N target tokens, A = gradAccumulation.
 *
 * <p>Objective per update: L = (1 / N_eff) Σ_{targets t in the effective batch} −log p(x_t | x_&lt;t), the mean NLL over
 * the <em>target tokens of all A micro-batches together</em>. Each micro-batch backpropagates its NLL sum divided by
 * N_eff, so the accumulated gradient equals that of one batch of B·A examples exactly; the usual "divide by A"
 * is contained in it, and micro-batches with more targets weigh proportionally more (HF's per-micro-batch mean
 * would not). Prompt and pad positions are never targets (see {@link TrainingExample}).
 *
 * <p>Then: global L2 gradient norm, divergence check (non-finite or over {@link DivergenceLimits} → the run stops
 * with status diverged, the update is not applied, nothing is thrown), clipping by min(1, maxGradNorm / norm), and
 * one {@link AdamW} step at the scheduled learning rate. Same data, config and seed → bit-identical weights on CPU at
 * a fixed intra-op thread count, whether or not other trainers run on other threads at the same time.
 *
 * <p>Gradients: each forward/backward records through {@link Autograd} on the calling thread, which takes no JVM-wide
 * lock, so several trainers (e.g. Spark tasks sharing an executor JVM) train concurrently on their own threads, each
 * with its own weights. Every thread has its own libtorch intra-op thread count; {@link TrainerConfig#intraOpThreads()}
 * sets the calling thread's at the start of {@link #run} (it stays set afterwards, and libtorch also takes it as the
 * count of threads that have not run an op yet), 0 leaves it alone.
 *
 * <p>DJL 0.36 hazard (PyTorch, CPU): {@code x.mul(2f)}, {@code div}, {@code pow(Number)} and friends wrap the number in
 * a tensor over a Java direct buffer and close it right after the op; autograd keeps that tensor for backward, and
 * once a GC frees the buffer the gradient silently reads freed memory (wrong scale or NaN). Code on the autograd
 * path must pass tensor operands that outlive backward ({@code scope.full(new Shape(), c)}).
 *
 * <p>Logging: java.util.logging under this class's name, a line every {@code logEvery} steps (loss, gradient norm,
 * lr, epoch, tokens/s) and a summary; nothing at all when {@code logEvery} is 0.
 *
 * <p>Trainable set: every weight for full fine-tuning, or only LoRA adapters when {@link TrainerConfig#lora()} is
 * set (added when absent; left attached afterwards — merge them to save a plain checkpoint). Those arrays require
 * gradients for the duration of the run only; on return they no longer do and their gradients are zero.
 */
public final class Trainer {
    private static final Logger LOG = Logger.getLogger(Trainer.class.getName());

    public TrainingResult run(LlamaWeights w, List<TrainingExample> data, TrainerConfig cfg, TrainingCallback callback) {
        checkData(w.config(), data);
        if (cfg.intraOpThreads() > 0) {
            setIntraOpThreads(cfg.intraOpThreads());
        }
        TrainingCallback cb = callback == null ? TrainingCallback.NONE : callback;
        List<NDArray> params = trainableParameters(w, cfg);
        boolean previousGradMode = JniUtils.isGradMode();
        // Off on this thread: AdamW updates leaves in place, which PyTorch refuses under grad mode.
        JniUtils.setGradMode(false);
        try {
            Set<NDArray> trainable = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            trainable.addAll(params);
            for (NDArray a : w.arrays().values()) {
                if (!trainable.contains(a)) {
                    a.setRequiresGradient(false);
                }
            }
            for (NDArray p : params) {
                p.setRequiresGradient(true);
            }
            zeroGradients(params);
            try (AdamW optimiser = new AdamW(params, AdamWConfig.defaults(cfg.weightDecay()))) {
                return loop(w, data, cfg, cb, optimiser, params);
            }
        } finally {
            zeroGradients(params);
            for (NDArray p : params) {
                p.setRequiresGradient(false);
            }
            JniUtils.setGradMode(previousGradMode);
        }
    }

    private TrainingResult loop(LlamaWeights w, List<TrainingExample> data, TrainerConfig cfg, TrainingCallback cb,
            AdamW optimiser, List<NDArray> params) {
        LrSchedule schedule = cfg.lrSchedule();
        DataOrder order = new DataOrder(data.size(), cfg.seed());
        Set<Integer> callbackSteps = new HashSet<>(cfg.callbackSteps());
        List<Double> losses = new ArrayList<>();
        long started = System.nanoTime();
        long callbackNanos = 0;
        long tokens = 0;
        if (callbackSteps.contains(0)) {
            callbackNanos += callBack(cb, 0, StepMetrics.initial(), w, params);
        }
        for (int step = 1; step <= cfg.maxSteps(); step++) {
            double lr = schedule.lr(step);
            List<PaddedBatch> micro = new ArrayList<>(cfg.gradAccumulation());
            long lossTokens = 0;
            long stepTokens = 0;
            for (int a = 0; a < cfg.gradAccumulation(); a++) {
                List<TrainingExample> rows = new ArrayList<>(cfg.batchSize());
                for (int b = 0; b < cfg.batchSize(); b++) {
                    rows.add(data.get(order.next()));
                }
                PaddedBatch batch = PaddedBatch.of(rows);
                micro.add(batch);
                lossTokens += batch.lossTokens();
                stepTokens += batch.realTokens();
            }
            double loss = 0;
            for (PaddedBatch batch : micro) {
                loss += forwardBackward(w, batch, lossTokens, cfg.vocabChunk());
            }
            double norm = optimiser.gradientNorm();
            String why = cfg.divergence().check(loss, norm);
            tokens += stepTokens;
            double tps = tokens / ((System.nanoTime() - started - callbackNanos) / 1e9);
            if (why != null) {
                String reason = "step " + step + ": " + why;
                if (cfg.logEvery() > 0) {
                    LOG.warning("training diverged at " + reason);
                }
                double last = losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
                return new TrainingResult(TrainingResult.Status.DIVERGED, step - 1, last, losses, reason, tps);
            }
            optimiser.step(lr, clipScale(norm, cfg.maxGradNorm()));
            losses.add(loss);
            StepMetrics metrics = new StepMetrics(step, loss, norm, lr, stepTokens, lossTokens, tps);
            if (cfg.logEvery() > 0 && (step % cfg.logEvery() == 0 || step == cfg.maxSteps())) {
                LOG.info(String.format(Locale.ROOT, "step %d/%d loss %.4f grad_norm %.3g lr %.3g epoch %d tok/s %.0f",
                        step, cfg.maxSteps(), loss, norm, lr, order.epoch(), tps));
            }
            if (callbackSteps.contains(step)) {
                callbackNanos += callBack(cb, step, metrics, w, params);
            }
        }
        double tps = tokens / ((System.nanoTime() - started - callbackNanos) / 1e9);
        if (cfg.logEvery() > 0) {
            LOG.log(Level.INFO, String.format(Locale.ROOT, "training completed: %d steps, final loss %.4f, %.0f tok/s",
                    cfg.maxSteps(), losses.get(losses.size() - 1), tps));
        }
        return new TrainingResult(TrainingResult.Status.COMPLETED, cfg.maxSteps(), losses.get(losses.size() - 1),
                losses, null, tps);
    }

    /**
     * Forward and backward of one micro-batch; returns its share of the update's loss, Σ NLL / N_eff. Records
     * gradients on this thread for the duration; all per-batch arrays live in one scope closed here.
     */
    static double forwardBackward(LlamaWeights w, PaddedBatch batch, long effectiveTargets, int vocabChunk) {
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
            NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
            ForwardResult r = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly(), null);
            NDArray hidden = r.finalHidden().reshape(-1, w.config().hiddenSize()); // (B·T, D)
            // Only target rows reach the LM head: prompt and pad rows cost nothing there and cannot leak into the loss.
            NDArray picked = hidden.get(scope.create(batch.targetPositions())); // (N, D)
            NDArray nll = TokenNll.compute(w, picked, scope.create(batch.targetTokens()), vocabChunk); // (N)
            // A tensor operand, not div(Number): DJL backs Number operands with a Java direct buffer that it frees
            // (via GC) right after the op, while autograd still holds it for backward (see class comment).
            NDArray loss = nll.sum().mul(scope.full(new Shape(), 1f / effectiveTargets));
            recording.backward(loss);
            return loss.getFloat();
        }
    }

    /**
     * Sets the calling thread's libtorch intra-op thread count. libtorch keeps the count per thread, but it also
     * remembers the latest count set by any thread and applies that one to a thread lazily, at the thread's first
     * parallel op or count query, overriding whatever the thread set before. Querying first makes that lazy
     * initialisation happen now, so another thread setting its own count later cannot undo ours.
     */
    static void setIntraOpThreads(int n) {
        JniUtils.getNumThreads();
        JniUtils.setNumThreads(n);
    }

    /** Global-norm clipping factor: min(1, max / norm); 1 when clipping is off. */
    static double clipScale(double norm, double maxNorm) {
        return maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1.0;
    }

    private static long callBack(TrainingCallback cb, int step, StepMetrics metrics, LlamaWeights w,
            List<NDArray> params) {
        long t0 = System.nanoTime();
        cb.onStep(step, metrics, w);
        zeroGradients(params);
        return System.nanoTime() - t0;
    }

    private static List<NDArray> trainableParameters(LlamaWeights w, TrainerConfig cfg) {
        if (cfg.lora() == null) {
            if (!w.adapters().isEmpty()) {
                throw new IllegalStateException("trainer.lora is not set (full fine-tuning) but the weights carry LoRA"
                        + " adapters; merge them first or set trainer.lora to train the adapters");
            }
            return w.trainable(false);
        }
        if (w.adapters().isEmpty()) {
            w.addLora(cfg.lora());
        } else if (!cfg.lora().equals(w.loraConfig())) {
            throw new IllegalStateException("trainer.lora " + cfg.lora() + " differs from the attached adapters' "
                    + w.loraConfig());
        }
        return w.trainable(true);
    }

    private static void zeroGradients(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    private static void checkData(ModelConfig c, List<TrainingExample> data) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        for (int i = 0; i < data.size(); i++) {
            TrainingExample e = data.get(i);
            if (e.length() > c.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("training example " + i + " has " + e.length()
                        + " tokens, more than max_position_embeddings " + c.maxPositionEmbeddings());
            }
            for (int j = 0; j < e.length(); j++) {
                if (e.token(j) >= c.vocabSize()) {
                    throw new IllegalArgumentException("training example " + i + ": token " + j + " = " + e.token(j)
                            + " is outside the vocabulary [0, " + c.vocabSize() + ")");
                }
            }
        }
    }
}
