package org.immunobench.training.trainer;

import org.immunobench.lm.model.LoraConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Hyper-parameters of one {@link Trainer} run.
 *
 * @param learningRate peak learning rate
 * @param schedule decay after warm-up (see {@link LrSchedule})
 * @param warmupSteps linear warm-up from 0 over this many updates
 * @param minLrRatio floor of the cosine/linear decay as a fraction of the peak (0 = decay to 0)
 * @param maxSteps optimiser updates to run
 * @param batchSize examples per forward pass (micro-batch)
 * @param gradAccumulation micro-batches per update; the effective batch is batchSize × gradAccumulation
 * @param maxGradNorm global L2 clipping threshold, 0 = off
 * @param weightDecay AdamW decoupled weight decay
 * @param seed data order (per-epoch shuffles)
 * @param lora null = full fine-tuning; else train only LoRA adapters with this config (added if absent)
 * @param logEvery log a metrics line every this many updates, 0 = silent
 * @param callbackSteps steps (0 = before any update) at which the callback runs; sorted, distinct, ≤ maxSteps
 * @param divergence when to stop a run as diverged
 * @param vocabChunk vocabulary chunk of the log-softmax (memory bound, no effect on results)
 * @param intraOpThreads libtorch intra-op threads of the thread that runs the trainer, set at the start of the run
 *     (libtorch keeps one count per thread); 0 = leave that thread's count as it is
 */
public record TrainerConfig(double learningRate, LrSchedule.Decay schedule, int warmupSteps, double minLrRatio,
        int maxSteps, int batchSize, int gradAccumulation, double maxGradNorm, double weightDecay, long seed,
        LoraConfig lora, int logEvery, List<Integer> callbackSteps, DivergenceLimits divergence, int vocabChunk,
        int intraOpThreads) {

    public static final int DEFAULT_VOCAB_CHUNK = 32768;

    public TrainerConfig {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("trainer.learning_rate must be finite and > 0, got " + learningRate);
        }
        if (schedule == null) {
            throw new IllegalArgumentException("trainer.schedule must be set (constant, cosine, linear)");
        }
        if (maxSteps <= 0) {
            throw new IllegalArgumentException("trainer.max_steps must be > 0, got " + maxSteps);
        }
        if (warmupSteps < 0 || warmupSteps > maxSteps) {
            throw new IllegalArgumentException("trainer.warmup_steps must be in [0, max_steps=" + maxSteps + "], got "
                    + warmupSteps);
        }
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("trainer.min_lr_ratio must be in [0, 1], got " + minLrRatio);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("trainer.batch_size must be > 0, got " + batchSize);
        }
        if (gradAccumulation <= 0) {
            throw new IllegalArgumentException("trainer.grad_accumulation must be > 0, got " + gradAccumulation);
        }
        if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
            throw new IllegalArgumentException("trainer.max_grad_norm must be >= 0 (0 = off), got " + maxGradNorm);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("trainer.weight_decay must be >= 0, got " + weightDecay);
        }
        if (logEvery < 0) {
            throw new IllegalArgumentException("trainer.log_every must be >= 0 (0 = silent), got " + logEvery);
        }
        if (vocabChunk <= 0) {
            throw new IllegalArgumentException("trainer.vocab_chunk must be > 0, got " + vocabChunk);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("trainer.intra_op_threads must be >= 0 (0 = leave the thread's count"
                    + " alone), got " + intraOpThreads);
        }
        if (divergence == null) {
            throw new IllegalArgumentException("trainer.divergence must be set");
        }
        TreeSet<Integer> steps = new TreeSet<>();
        for (Integer s : callbackSteps == null ? List.<Integer>of() : callbackSteps) {
            if (s == null || s < 0 || s > maxSteps) {
                throw new IllegalArgumentException("trainer.callback_steps entries must be in [0, max_steps=" + maxSteps
                        + "], got " + s);
            }
            steps.add(s);
        }
        callbackSteps = List.copyOf(steps);
    }

    /**
     * Constant lr, no warm-up, one micro-batch per update, clipping at 1.0 and no weight decay (HF Trainer's
     * defaults), seed 0, full fine-tuning, a log line every 10 steps, no callbacks, the thread's intra-op thread count
     * left alone.
     */
    public static TrainerConfig defaults(double learningRate, int maxSteps, int batchSize) {
        return new TrainerConfig(learningRate, LrSchedule.Decay.CONSTANT, 0, 0.0, maxSteps, batchSize, 1, 1.0, 0.0, 0L,
                null, 10, List.of(), DivergenceLimits.defaults(), DEFAULT_VOCAB_CHUNK, 0);
    }

    /** 0, first, 2·first, 4·first … up to maxSteps, plus maxSteps: the harm-curve steps of an attack. */
    public static List<Integer> doublingSteps(int first, int maxSteps) {
        if (first <= 0) {
            throw new IllegalArgumentException("first callback step must be > 0, got " + first);
        }
        List<Integer> out = new ArrayList<>(List.of(0));
        for (long s = first; s < maxSteps; s *= 2) {
            out.add((int) s);
        }
        out.add(maxSteps);
        return out;
    }

    public int effectiveBatchSize() {
        return batchSize * gradAccumulation;
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(learningRate, schedule, warmupSteps, maxSteps, minLrRatio);
    }

    public TrainerConfig withLearningRate(double v) {
        return new TrainerConfig(v, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withSchedule(LrSchedule.Decay decay, int warmup) {
        return new TrainerConfig(learningRate, decay, warmup, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withMinLrRatio(double v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, v, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withMaxSteps(int v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, v, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withBatch(int size, int accumulation) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, size, accumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withMaxGradNorm(double v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                v, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withWeightDecay(double v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, v, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withSeed(long v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, v, lora, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withLora(LoraConfig v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, v, logEvery, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withLogEvery(int v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, v, callbackSteps, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withCallbackSteps(List<Integer> v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, v, divergence, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withDivergence(DivergenceLimits v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, v, vocabChunk, intraOpThreads);
    }

    public TrainerConfig withIntraOpThreads(int v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, vocabChunk, v);
    }

    public TrainerConfig withVocabChunk(int v) {
        return new TrainerConfig(learningRate, schedule, warmupSteps, minLrRatio, maxSteps, batchSize, gradAccumulation,
                maxGradNorm, weightDecay, seed, lora, logEvery, callbackSteps, divergence, v, intraOpThreads);
    }
}
