package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
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
 * Training of {@link LlamaWeights} in place: the loop every defence and attack recipe shares. Not a Spark concern
 * and not a recipe — recipes choose data, config and {@link Objective} and call {@link #run}.
 *
 * <p>Per update: the objective accumulates ∂L/∂θ of its loss (supervised next-token NLL for fine-tuning attacks,
 * {@link SupervisedObjective}; a defence's own loss otherwise). Then: global L2 gradient norm, divergence check (non-finite or over {@link DivergenceLimits} → the run stops
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

    /** Supervised fine-tuning on {@code data} ({@link SupervisedObjective}, data order seeded by the config). */
    public TrainingResult run(LlamaWeights w, List<TrainingExample> data, TrainerConfig cfg, TrainingCallback callback) {
        checkData(w.config(), data);
        return run(w, new SupervisedObjective(data, cfg.seed()), cfg, callback);
    }

    /** Minimises {@code objective} for {@code cfg.maxSteps()} updates. */
    public TrainingResult run(LlamaWeights w, Objective objective, TrainerConfig cfg, TrainingCallback callback) {
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
                return loop(w, objective, cfg, cb, optimiser, params);
            }
        } finally {
            zeroGradients(params);
            for (NDArray p : params) {
                p.setRequiresGradient(false);
            }
            JniUtils.setGradMode(previousGradMode);
        }
    }

    private TrainingResult loop(LlamaWeights w, Objective objective, TrainerConfig cfg, TrainingCallback cb,
            AdamW optimiser, List<NDArray> params) {
        LrSchedule schedule = cfg.lrSchedule();
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
            StepLoss s = objective.step(new StepContext(w, params, step, cfg));
            double loss = s.loss();
            double norm = optimiser.gradientNorm();
            String why = cfg.divergence().check(loss, norm);
            tokens += s.tokens();
            double tps = tokens / ((System.nanoTime() - started - callbackNanos) / 1e9);
            if (why != null) {
                String reason = "step " + step + ": " + why;
                if (cfg.logEvery() > 0) {
                    LOG.warning("training diverged at " + reason);
                }
                double last = losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
                zeroGradients(params);
                return new TrainingResult(TrainingResult.Status.DIVERGED, step - 1, last, losses, reason, tps);
            }
            optimiser.step(lr, clipScale(norm, cfg.maxGradNorm()));
            losses.add(loss);
            StepMetrics metrics = new StepMetrics(step, loss, norm, lr, s.tokens(), s.lossTokens(), tps);
            if (cfg.logEvery() > 0 && (step % cfg.logEvery() == 0 || step == cfg.maxSteps())) {
                LOG.info(String.format(Locale.ROOT, "step %d/%d loss %.4f grad_norm %.3g lr %.3g %s%s tok/s %.0f",
                        step, cfg.maxSteps(), loss, norm, lr, objective.progress(), s.parts().isEmpty() ? ""
                        : " " + s.parts(), tps));
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
