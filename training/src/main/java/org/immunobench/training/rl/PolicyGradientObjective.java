package org.immunobench.training.rl;

import org.immunobench.lm.generate.Generator;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Online policy-gradient training as a trainer {@link Objective}: every {@code updatesPerBatch} updates it samples a
 * rollout batch from the current policy (prompts drawn in a seeded shuffled order, {@code rollouts} completions each,
 * all rows in one KV-cached batched generation), scores it with the reward, turns rewards into advantages
 * ({@link GroupAdvantages}) and keeps π_old (when μ > 1) and the reference's log-probabilities; each update then
 * backpropagates {@link PolicyLoss} on that batch. The trainer does the rest (AdamW, clipping, schedule, probes).
 *
 * <p>Compute is counted in token passes, engine-independent: a rollout batch costs Σ(|q| + |o| − 1) forward token
 * passes to generate (prefill and decode with the KV cache; padding not counted), the same again for each frozen
 * scoring pass (π_old when μ > 1, the reference when β > 0), and each update one forward and one backward pass over
 * it. That is what harmful SFT at equal compute is matched against.
 */
public final class PolicyGradientObjective implements Objective {
    private final List<int[]> prompts;
    private final RolloutReward reward;
    private final RlSettings settings;
    private final LlamaWeights reference;
    private final Set<Integer> stopTokens;
    private final long seed;
    private final Random order;
    private final List<Integer> queue = new ArrayList<>();
    private RolloutBatch batch;
    private double[] rewards;
    private double[] advantages;
    private float[] oldLogProbs;
    private float[] refLogProbs;
    private int used;
    private int batches;
    private long forwardTokens;
    private long backwardTokens;
    private final List<Double> meanRewards = new ArrayList<>();

    /**
     * @param prompts the prompts to sample rollouts for (token ids with BOS)
     * @param reference frozen reference weights for the KL term; may be null when {@code settings.klCoef()} is 0
     * @param stopTokens tokens that end a completion (kept in it)
     */
    public PolicyGradientObjective(List<int[]> prompts, RolloutReward reward, RlSettings settings,
            LlamaWeights reference, Set<Integer> stopTokens, long seed) {
        if (prompts == null || prompts.isEmpty()) {
            throw new IllegalArgumentException("reinforcement learning needs prompts, none were given");
        }
        if (settings.klCoef() > 0 && reference == null) {
            throw new IllegalArgumentException("kl_coef > 0 needs a reference model");
        }
        this.prompts = List.copyOf(prompts);
        this.reward = reward;
        this.settings = settings;
        this.reference = reference;
        this.stopTokens = Set.copyOf(stopTokens);
        this.seed = seed;
        this.order = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    }

    @Override
    public StepLoss step(StepContext ctx) {
        if (batch == null || used == settings.updatesPerBatch()) {
            sample(ctx.weights(), ctx.config().vocabChunk());
        }
        used++;
        Map<String, Double> parts = PolicyLoss.backward(ctx.weights(), batch, advantages,
                settings.updatesPerBatch() > 1 ? oldLogProbs : null, refLogProbs, settings.algorithm(),
                settings.clip(), settings.klCoef(), ctx.config().vocabChunk());
        forwardTokens += batch.realTokens();
        backwardTokens += batch.realTokens();
        Map<String, Double> out = new LinkedHashMap<>(parts);
        out.remove("loss");
        out.put("reward", meanRewards.get(meanRewards.size() - 1));
        return new StepLoss(parts.get("loss"), batch.realTokens(), batch.targets(), out);
    }

    /** Samples a new rollout batch from the current policy and prepares its advantages and frozen log-probs. */
    private void sample(LlamaWeights w, int vocabChunk) {
        List<int[]> rowsPrompts = new ArrayList<>();
        int[] group = new int[settings.promptsPerBatch() * settings.rollouts()];
        for (int p = 0; p < settings.promptsPerBatch(); p++) {
            int[] prompt = prompts.get(nextPrompt());
            for (int r = 0; r < settings.rollouts(); r++) {
                group[rowsPrompts.size()] = p;
                rowsPrompts.add(prompt);
            }
        }
        SamplingConfig sampling = new SamplingConfig(settings.maxNewTokens(), settings.temperature(),
                settings.topP(), seed * 1_000_033L + batches, stopTokens);
        List<int[]> completions = new Generator(w).generate(rowsPrompts, sampling);
        batches++;
        batch = RolloutBatch.of(rowsPrompts, completions, group);
        forwardTokens += batch.realTokens();
        rewards = reward.score(w, batch.prompts(), batch.completions());
        if (rewards.length != batch.rows()) {
            throw new IllegalStateException("the reward gave " + rewards.length + " values for " + batch.rows()
                    + " rollouts");
        }
        advantages = settings.algorithm() == PolicyLoss.Algorithm.GRPO ? GroupAdvantages.grpo(rewards, group)
                : GroupAdvantages.leaveOneOut(rewards, group);
        oldLogProbs = null;
        if (settings.updatesPerBatch() > 1) {
            oldLogProbs = batch.frozenLogProbs(w, vocabChunk);
            forwardTokens += batch.realTokens();
        }
        refLogProbs = null;
        if (settings.klCoef() > 0) {
            refLogProbs = batch.frozenLogProbs(reference, vocabChunk);
            forwardTokens += batch.realTokens();
        }
        double sum = 0;
        for (double r : rewards) {
            sum += r;
        }
        meanRewards.add(sum / rewards.length);
        used = 0;
    }

    private int nextPrompt() {
        if (queue.isEmpty()) {
            for (int i = 0; i < prompts.size(); i++) {
                queue.add(i);
            }
            Collections.shuffle(queue, order);
        }
        return queue.remove(queue.size() - 1);
    }

    /** The latest rollout batch (null before the first update). */
    public RolloutBatch lastBatch() {
        return batch;
    }

    /** The latest batch's rewards, one per rollout. */
    public double[] lastRewards() {
        return rewards == null ? null : rewards.clone();
    }

    /** Mean reward of every rollout batch so far, in order. */
    public List<Double> meanRewards() {
        return List.copyOf(meanRewards);
    }

    public int rolloutBatches() {
        return batches;
    }

    /** Forward token passes so far: generation, frozen scoring and the updates' forward passes. */
    public long forwardTokens() {
        return forwardTokens;
    }

    /** Backward token passes so far (the updates). */
    public long backwardTokens() {
        return backwardTokens;
    }

    @Override
    public String progress() {
        return String.format(java.util.Locale.ROOT, "rollout batch %d reward %.3f", batches,
                meanRewards.isEmpty() ? Double.NaN : meanRewards.get(meanRewards.size() - 1));
    }
}
