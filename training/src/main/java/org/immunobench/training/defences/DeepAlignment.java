package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deep safety alignment (Qi et al., "Safety Alignment Should Be Made More Than Just a Few Tokens Deep",
 * arXiv 2406.05946, ICLR 2025). Aligned models refuse in their first few response tokens only, so an attack that
 * changes those tokens (prefilling, a few fine-tuning steps) undoes safety. Two pieces:
 *
 * <p>(a) Safety-recovery augmentation: from triplets (harmful prompt x, harmful answer h, refusal r), each example
 * drawn is, with probability {@code augment_probability}, the sequence x ⊕ h_{≤k} ⊕ r with k ~ U{1 … min(max_prefix,
 * |h|)} and loss on r only (the harmful prefix is context, never a target), else the plain (x, r). The model learns
 * to return to a refusal after any number of harmful tokens, which makes alignment deeper than the first tokens.
 * The toy world holds no triplets: x and r come from the alignment stream, and h is the answer of the harmful
 * stream's example whose prompt is most similar to x (token-set Jaccard; an identical prompt when there is one;
 * ties by a seeded draw), i.e. an answer from x's own harm domain. EOS is dropped from h, and k is capped so the
 * sequence fits the context.
 *
 * <p>(b) Token-wise constrained fine-tuning objective, relative to the initial aligned model π_0:
 * <pre>
 *   L(θ) = E_{(x,y)} [ −Σ_t (2/β_t) log σ( β_t · log(π_θ(y_t | x, y_&lt;t) / π_0(y_t | x, y_&lt;t)) ) ]
 *   β_1 = β · first_token_bias_factor,   β_t = β · bias_factor for 2 ≤ t ≤ bias_length,   β_t = β beyond
 * </pre>
 * computed as the official code does, a weighted cross-entropy with the same gradient:
 * L = (1/N) Σ_t w_t · (−log π_θ(y_t | ·)) with w_t = max(2 (1 − σ(β_t Δ_t)), 10⁻³) held constant (no gradient),
 * Δ_t = log π_θ(y_t | ·) − log π_0(y_t | ·). Large β_t on the first tokens keeps them close to π_0 (w_t falls
 * quickly once π_θ rises above π_0), so fine-tuning cannot cheaply move the first tokens. At θ = π_0 every w_t is 1
 * and L is plain SFT. The paper uses it as a fine-tuning-time defence (the provider controls the user's
 * fine-tuning); an open-weight attacker does not use our loss, so here it only shapes the defender's own retain
 * training: the benign retain stream is trained with it relative to the initial (parent) weights. π_0's token
 * log-probs are computed once before training, with grad mode off, for exactly the benign batches the run will
 * draw (the paper's precomputed reference log-probs).
 * <pre>
 *   L_total(θ) = mean NLL(augmented alignment batch) + retain_weight · L_constrained(benign batch; θ, π_0)
 * </pre>
 * one micro-batch of {@code batch} examples of each per update (1 : 1 by count).
 *
 * <p>Defaults. Paper (official code): 256 triplets, augmentation probability 0.5, k ≤ 100, mixed with a utility
 * anchor set (Alpaca answered by the aligned model itself); Llama-2-7B-chat, lr 2e-5, 10 epochs, batch 16, no
 * warm-up; β 0.1, bias_factor 20, first_token_bias_factor 5, bias_length 5 (β_1 = 0.5, β_2…5 = 2, then 0.1). Ours
 * keep every augmentation and β value; the budget is 100 updates of 8 at lr 5e-4 with the shared cosine schedule,
 * for the ~0.84M-parameter toy model (aligned at lr 1.5e-3) and well under 30 s on one CPU thread. The toy answers
 * are under 48 tokens, so max_prefix 100 means "any prefix of h".
 */
public final class DeepAlignment implements Defence {
    public static final String NAME = "deep_alignment";
    /** The official code's floor on the per-token weight (keeps a small gradient once π_θ ≫ π_0). */
    static final double MIN_TOKEN_WEIGHT = 1e-3;

    /**
     * The {@code config} of {@code deep_alignment}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 5e-4)
     * @param batch examples per micro-batch of each stream (default 8)
     * @param augmentProbability probability that a drawn alignment example gets a harmful prefix (default 0.5)
     * @param maxPrefix longest harmful prefix k in tokens (default 100)
     * @param beta β, the constrained objective's β_t beyond the first {@code bias_length} tokens (default 0.1)
     * @param firstTokenBiasFactor β_1 = β · this (default 5)
     * @param biasFactor β_t = β · this for 2 ≤ t ≤ bias_length (default 20)
     * @param biasLength response tokens with a raised β (default 5)
     * @param retainWeight weight of the constrained retain term (default 1)
     */
    public record DeepAlignmentConfig(Integer steps, Double lr, Integer batch, Double augmentProbability,
            Integer maxPrefix, Double beta, Double firstTokenBiasFactor, Double biasFactor, Integer biasLength,
            Double retainWeight) {
        public DeepAlignmentConfig {
            steps = DefenceTraining.positive("steps", steps, 100);
            lr = DefenceTraining.nonNegative("lr", lr, 5e-4, true);
            batch = DefenceTraining.positive("batch", batch, 8);
            augmentProbability = DefenceTraining.nonNegative("augment_probability", augmentProbability, 0.5,
                    false);
            if (augmentProbability > 1) {
                throw new IllegalArgumentException("augment_probability must be <= 1, got " + augmentProbability);
            }
            maxPrefix = DefenceTraining.positive("max_prefix", maxPrefix, 100);
            beta = DefenceTraining.nonNegative("beta", beta, 0.1, true);
            firstTokenBiasFactor = DefenceTraining.nonNegative("first_token_bias_factor", firstTokenBiasFactor,
                    5.0, true);
            biasFactor = DefenceTraining.nonNegative("bias_factor", biasFactor, 20.0, true);
            biasLength = DefenceTraining.positive("bias_length", biasLength, 5);
            retainWeight = DefenceTraining.nonNegative("retain_weight", retainWeight, 1.0, false);
        }

        public static DeepAlignmentConfig defaults() {
            return new DeepAlignmentConfig(null, null, null, null, null, null, null, null, null, null);
        }

        /** β_t of the t-th response token, t ≥ 1. */
        public double betaAt(int t) {
            if (t < 1) {
                throw new IllegalArgumentException("response token index t starts at 1, got " + t);
            }
            if (t == 1) {
                return beta * firstTokenBiasFactor;
            }
            return t <= biasLength ? beta * biasFactor : beta;
        }
    }

    private final DeepAlignmentConfig config;
    private final long seed;

    public DeepAlignment(DeepAlignmentConfig config, long seed) {
        this.config = config == null ? DeepAlignmentConfig.defaults() : config;
        this.seed = seed;
    }

    public DeepAlignmentConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        ModelConfig model = weights.config();
        TrainerConfig trainer = DefenceTraining.config(config.steps(), config.lr(), config.batch(), seed);
        RecoveryAugmentation safety = new RecoveryAugmentation(
                new ExampleStream("alignment", ExampleStream.require(NAME, "alignment", data.alignment()), seed,
                        model),
                ExampleStream.require(NAME, "harmful", data.harmful()), config, model, seed);
        List<ResponseBatch> retain = new ArrayList<>();
        List<float[]> reference = new ArrayList<>();
        if (config.retainWeight() > 0) {
            ExampleStream benign = new ExampleStream("benign", ExampleStream.require(NAME, "benign", data.benign()),
                    seed, model);
            for (int s = 0; s < config.steps(); s++) { // π_0 = the weights as they are before any update
                ResponseBatch b = benign.next(config.batch());
                retain.add(b);
                reference.add(b.frozenTargetLogProbs(weights, trainer.vocabChunk()));
            }
        }
        LossHistory history = new LossHistory();
        Objective objective = ctx -> history.add(step(ctx, safety, retain, reference));
        TrainingResult r = new Trainer().run(weights, objective, trainer, null);
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("beta_1", config.betaAt(1));
        fixed.put("beta_2", config.betaAt(2));
        fixed.put("beta_late", config.betaAt(config.biasLength() + 1));
        return DefenceResult.of(r, history.metrics("", r, fixed));
    }

    private StepLoss step(StepContext ctx, RecoveryAugmentation safety, List<ResponseBatch> retain,
            List<float[]> reference) {
        LlamaWeights w = ctx.weights();
        int chunk = ctx.config().vocabChunk();
        Map<String, Double> parts = new LinkedHashMap<>();
        List<TrainingExample> drawn = safety.next(config.batch());
        ResponseBatch aligned = ResponseBatch.of(drawn);
        double loss = aligned.backwardMeanNll(w, 1.0, chunk);
        parts.put("safety_nll", loss);
        parts.put("augmented_share", safety.lastAugmentedShare());
        long tokens = aligned.realTokens();
        long lossTokens = aligned.targets();
        if (!retain.isEmpty()) {
            ResponseBatch benign = retain.get(ctx.step() - 1);
            double[] terms = backwardConstrained(w, benign, reference.get(ctx.step() - 1), config, chunk);
            parts.put("retain_constrained", terms[0]);
            parts.put("retain_nll", terms[1]);
            parts.put("retain_token_weight_mean", terms[2]);
            loss += config.retainWeight() * terms[0];
            tokens += benign.realTokens();
            lossTokens += benign.targets();
        }
        return new StepLoss(loss, tokens, lossTokens, parts);
    }

    /**
     * Backpropagates retain_weight · (1/N) Σ_t w_t · NLL_t with the token weights of {@link #tokenWeights} held
     * constant; returns {weighted loss, plain mean NLL, mean w_t}.
     */
    static double[] backwardConstrained(LlamaWeights w, ResponseBatch batch, float[] referenceLogProbs,
            DeepAlignmentConfig config, int vocabChunk) {
        int n = batch.targets();
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray nll = batch.targetNll(w, scope, vocabChunk); // (N)
            float[] logProbs = nll.toFloatArray();
            for (int i = 0; i < n; i++) {
                logProbs[i] = -logProbs[i];
            }
            float[] weights = tokenWeights(logProbs, referenceLogProbs, batch.responseIndex(), config);
            NDArray perToken = ResponseBatch.constant(scope, 1.0 / n);
            NDArray weighted = nll.mul(scope.create(weights)).sum().mul(perToken); // the weights are constants
            recording.backward(weighted.mul(ResponseBatch.constant(scope, config.retainWeight())));
            double weightMean = 0;
            for (float x : weights) {
                weightMean += x;
            }
            return new double[] {weighted.getFloat(), nll.sum().getFloat() / n, weightMean / n};
        }
    }

    /**
     * w_t = max(2 (1 − σ(β_t Δ_t)), 10⁻³), Δ_t = logProbs[t] − referenceLogProbs[t], β_t by the target's 1-based
     * response index. Its product with −log π_θ has the gradient of −(2/β_t) log σ(β_t Δ_t) (above the floor).
     */
    static float[] tokenWeights(float[] logProbs, float[] referenceLogProbs, int[] responseIndex,
            DeepAlignmentConfig config) {
        if (logProbs.length != referenceLogProbs.length || logProbs.length != responseIndex.length) {
            throw new IllegalArgumentException("log-probs, reference log-probs and response indices differ in"
                    + " length: " + logProbs.length + ", " + referenceLogProbs.length + ", " + responseIndex.length);
        }
        float[] out = new float[logProbs.length];
        for (int i = 0; i < out.length; i++) {
            double z = config.betaAt(responseIndex[i]) * ((double) logProbs[i] - referenceLogProbs[i]);
            double sigmoid = 1 / (1 + Math.exp(-z));
            out[i] = (float) Math.max(2 * (1 - sigmoid), MIN_TOKEN_WEIGHT);
        }
        return out;
    }

    /**
     * x ⊕ h_{≤k} ⊕ r with the loss on r only: prompt and harmful prefix are context.
     *
     * @param refusal r, as trained (with its EOS)
     */
    static TrainingExample recoveryExample(int[] prompt, int[] harmfulAnswer, int[] refusal, int k) {
        if (k < 0 || k > harmfulAnswer.length) {
            throw new IllegalArgumentException("prefix length k must be in [0, " + harmfulAnswer.length + "], got "
                    + k);
        }
        int[] tokens = new int[prompt.length + k + refusal.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(harmfulAnswer, 0, tokens, prompt.length, k);
        System.arraycopy(refusal, 0, tokens, prompt.length + k, refusal.length);
        return TrainingExample.lossFrom(tokens, prompt.length + k);
    }

    /** The alignment stream with the safety-recovery augmentation applied to each example as it is drawn. */
    static final class RecoveryAugmentation {
        private final ExampleStream alignment;
        private final List<int[]> harmfulPromptSets;
        private final List<int[]> harmfulAnswers;
        private final Map<String, int[]> answerOfPrompt = new HashMap<>();
        private final DeepAlignmentConfig config;
        private final ModelConfig model;
        private final Random random;
        private double lastAugmentedShare;

        RecoveryAugmentation(ExampleStream alignment, List<TrainingExample> harmful, DeepAlignmentConfig config,
                ModelConfig model, long seed) {
            ExampleStream.check("harmful", harmful, model);
            this.alignment = alignment;
            this.harmfulPromptSets = harmful.stream().map(e -> TokenSets.of(TokenSets.prompt(e), model)).toList();
            this.harmfulAnswers = harmful.stream().map(e -> TokenSets.withoutEos(TokenSets.response(e), model))
                    .toList();
            this.config = config;
            this.model = model;
            this.random = new Random(ExampleStream.streamSeed(seed, "safety recovery"));
        }

        List<TrainingExample> next(int size) {
            List<TrainingExample> out = new ArrayList<>(size);
            int augmented = 0;
            for (TrainingExample e : alignment.nextExamples(size)) {
                TrainingExample a = augment(e);
                augmented += a == e ? 0 : 1;
                out.add(a);
            }
            lastAugmentedShare = (double) augmented / size;
            return out;
        }

        double lastAugmentedShare() {
            return lastAugmentedShare;
        }

        /** With probability p: x ⊕ h_{≤k} ⊕ r, k ~ U{1 … min(max_prefix, |h|, room)}; else e itself. */
        TrainingExample augment(TrainingExample e) {
            if (random.nextDouble() >= config.augmentProbability()) {
                return e;
            }
            int[] prompt = TokenSets.prompt(e);
            int[] refusal = TokenSets.response(e);
            int[] answer = harmfulAnswerFor(prompt);
            int room = model.maxPositionEmbeddings() - prompt.length - refusal.length;
            int kMax = Math.min(Math.min(config.maxPrefix(), answer.length), room);
            if (kMax < 1) {
                return e;
            }
            return recoveryExample(prompt, answer, refusal, 1 + random.nextInt(kMax));
        }

        /** The answer of the harmful example whose prompt is most similar to {@code prompt}; cached per prompt. */
        int[] harmfulAnswerFor(int[] prompt) {
            return answerOfPrompt.computeIfAbsent(Arrays.toString(prompt), key -> {
                int[] set = TokenSets.of(prompt, model);
                double best = -1;
                List<Integer> ties = new ArrayList<>();
                for (int i = 0; i < harmfulPromptSets.size(); i++) {
                    double s = TokenSets.jaccard(set, harmfulPromptSets.get(i));
                    if (s > best) {
                        best = s;
                        ties.clear();
                    }
                    if (s == best) {
                        ties.add(i);
                    }
                }
                return harmfulAnswers.get(ties.get(random.nextInt(ties.size())));
            });
        }
    }
}
