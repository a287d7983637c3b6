package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.rl.PolicyGradientObjective;
import org.immunobench.training.rl.PolicyLoss;
import org.immunobench.training.rl.RlSettings;
import org.immunobench.training.rl.RolloutBatch;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * TokenBuncher (arXiv 2508.20697), in a supervised form. The paper defends against harmful reinforcement
 * learning: RL needs the model's answers to harmful prompts to vary (entropy) to find rewarded ones, so TokenBuncher
 * makes those answers near-deterministic (entropy as reward), and with the Token Noiser teaches that whatever
 * uncertainty an attacker does create is spread over random tokens, so raising it yields gibberish. On harmful-prompt
 * response positions t (contexts c_t = x ∘ y_&lt;t, p = p_θ(· | c_t), V the vocabulary):
 * <pre>
 *   H_t      = −Σ_v p(v) log p(v)                                                  (entropy, minimised)
 *   q_t(v)   = (1 − ε) · 1[v = y_t] + ε · z_t(v),   z_t(v) ∝ u_v ~ U(0, 1) for v ≠ y_t,   z_t(y_t) = 0,   Σ_v z_t = 1
 *   TN_t     = −Σ_v q_t(v) log p(v) = (1 − ε) NLL(y_t) + ε Σ_{v≠y_t} z_t(v) (−log p(v))     (Token Noiser)
 *   L(θ)     = entropy_weight · mean_t H_t + noiser_weight · mean_t TN_t + retain_weight · NLL(benign)
 * </pre>
 * so the Token Noiser's target puts total mass ε on tokens other than y_t, spread at random and none of it on y_t,
 * and 1 − ε on y_t. z is drawn afresh for every position of every update from the run's seed.
 *
 * <p>What differs from the paper, which trains with GRPO (verl): there, n = 4 rollouts per harmful prompt are
 * sampled from the current policy, rewarded with r = −(1/|o|) Σ_t H_t, group-normalised into advantages and
 * followed by the policy gradient, with a KL-in-reward coefficient 0.001 to the reference model; after 25 such
 * warm-up steps every even step is a Token Noiser update on the rollouts instead. Here there is no sampling and no
 * RL engine: the contexts are fixed teacher-forced responses, the alignment stream's refusals to harmful prompts
 * (what an aligned model's own rollouts on them are), the entropy is minimised by its exact gradient (which also
 * sharpens p along the given continuation instead of reweighting sampled ones), both terms are summed in every
 * update instead of alternating, and a benign retain NLL (one batch of {@code batch} benign examples per update,
 * 1 : 1 with the harmful-prompt batch by count) stands in for the paper's KL anchor to the reference model.
 *
 * <p>Defaults: the paper's ε = 0.1. Its run is 200 GRPO steps of 32 prompts at lr 1e-6 on 3–8B models; ours are
 * 100 updates of 8 at lr 5e-4 with the shared cosine schedule, sized for the ~0.84M-parameter toy model (aligned at
 * lr 1.5e-3) and well under 30 s on one CPU thread. The paper weighs the two updates equally by alternating them;
 * we weigh entropy, noiser and retain 1 : 1 : 1.
 */
public final class TokenBuncher implements Defence {
    public static final String NAME = "token_buncher";

    /**
     * The {@code config} of {@code token_buncher}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 5e-4 in both forms)
     * @param batch examples per micro-batch of each stream (default 8); in the RL form, harmful prompts per rollout
     *     batch
     * @param epsilon ε, the Token Noiser's off-target mass, in [0, 1] (default 0.1)
     * @param entropyWeight weight of the mean entropy on harmful-prompt response positions (default 1; SFT form)
     * @param noiserWeight weight of the Token Noiser cross-entropy (default 1)
     * @param retainWeight weight of the benign retain NLL (default 1; SFT form)
     * @param form {@code sft} (default) or {@code rl}. Stored as null for sft, and the RL form's keys below stay null
     *     in the SFT form, so the SFT form's resolved config (and checkpoint ids) are those of earlier runs
     * @param rollouts RL form: completions per prompt, GRPO's n (default 4, the paper's)
     * @param maxNewTokens RL form: longest rollout (default 40)
     * @param temperature RL form: sampling temperature of the rollouts (default 1)
     * @param klCoef RL form: β of the k3 KL to the model as it was (default 0.001, the paper's)
     * @param noiserWarmup RL form: updates before the Token Noiser starts alternating with GRPO (default 12, the
     *     paper's 25 of 200 scaled to 100)
     */
    public record TokenBuncherConfig(Integer steps, Double lr, Integer batch, Double epsilon, Double entropyWeight,
            Double noiserWeight, Double retainWeight, @JsonInclude(JsonInclude.Include.NON_NULL) String form,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer rollouts,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxNewTokens,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double temperature,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double klCoef,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer noiserWarmup) {
        public static final List<String> FORMS = List.of("sft", "rl");

        public TokenBuncherConfig {
            if (form != null && !FORMS.contains(form)) {
                throw new IllegalArgumentException("form: '" + form + "' is unknown; known: " + FORMS);
            }
            boolean rl = "rl".equals(form);
            form = rl ? form : null;
            if (rl) {
                for (Object[] kv : new Object[][] {{"entropy_weight", entropyWeight}, {"retain_weight", retainWeight}}) {
                    if (kv[1] != null) {
                        throw new IllegalArgumentException(kv[0] + ": only for form: sft (the RL form rewards low"
                                + " entropy through GRPO and anchors the model with kl_coef)");
                    }
                }
                rollouts = DefenceTraining.positive("rollouts", rollouts, 4);
                if (rollouts < 2) {
                    throw new IllegalArgumentException("rollouts: must be >= 2, got " + rollouts);
                }
                maxNewTokens = DefenceTraining.positive("max_new_tokens", maxNewTokens, 40);
                temperature = DefenceTraining.nonNegative("temperature", temperature, 1.0, true);
                klCoef = DefenceTraining.nonNegative("kl_coef", klCoef, 0.001, false);
                noiserWarmup = DefenceTraining.nonNegative("noiser_warmup", noiserWarmup, 12);
            } else {
                for (Object[] kv : new Object[][] {{"rollouts", rollouts}, {"max_new_tokens", maxNewTokens},
                        {"temperature", temperature}, {"kl_coef", klCoef}, {"noiser_warmup", noiserWarmup}}) {
                    if (kv[1] != null) {
                        throw new IllegalArgumentException(kv[0] + ": only for form: rl");
                    }
                }
                entropyWeight = DefenceTraining.nonNegative("entropy_weight", entropyWeight, 1.0, false);
                retainWeight = DefenceTraining.nonNegative("retain_weight", retainWeight, 1.0, false);
            }
            steps = DefenceTraining.positive("steps", steps, 100);
            lr = DefenceTraining.nonNegative("lr", lr, 5e-4, true);
            batch = DefenceTraining.positive("batch", batch, 8);
            epsilon = DefenceTraining.nonNegative("epsilon", epsilon, 0.1, false);
            if (epsilon > 1) {
                throw new IllegalArgumentException("epsilon must be <= 1, got " + epsilon);
            }
            noiserWeight = DefenceTraining.nonNegative("noiser_weight", noiserWeight, 1.0, false);
        }

        public static TokenBuncherConfig defaults() {
            return new TokenBuncherConfig(null, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        /** Whether this is the RL form. */
        public boolean rlForm() {
            return "rl".equals(form);
        }
    }

    private final TokenBuncherConfig config;
    private final long seed;

    public TokenBuncher(TokenBuncherConfig config, long seed) {
        this.config = config == null ? TokenBuncherConfig.defaults() : config;
        this.seed = seed;
    }

    public TokenBuncherConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        if (config.rlForm()) {
            return applyRl(weights, data);
        }
        ModelConfig model = weights.config();
        ExampleStream harmful = new ExampleStream("alignment",
                ExampleStream.require(NAME, "alignment (harmful prompts with refusals)", data.alignment()), seed,
                model);
        ExampleStream retain = config.retainWeight() > 0
                ? new ExampleStream("benign", ExampleStream.require(NAME, "benign", data.benign()), seed, model)
                : null;
        Random noise = new Random(ExampleStream.streamSeed(seed, "token noiser"));
        LossHistory history = new LossHistory();
        Objective objective = ctx -> history.add(step(ctx, harmful, retain, noise));
        TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(), seed);
        return DefenceResult.of(r, history.metrics("", r, Map.of()));
    }

    private StepLoss step(StepContext ctx, ExampleStream harmful, ExampleStream retain, Random noise) {
        LlamaWeights w = ctx.weights();
        ResponseBatch batch = harmful.next(config.batch());
        Map<String, Double> parts = new LinkedHashMap<>();
        double[] terms = backwardBunching(w, batch, config, noise);
        parts.put("entropy", terms[0]);
        parts.put("noiser_ce", terms[1]);
        double loss = config.entropyWeight() * terms[0] + config.noiserWeight() * terms[1];
        long tokens = batch.realTokens();
        long lossTokens = batch.targets();
        if (retain != null) {
            ResponseBatch benign = retain.next(config.batch());
            double nll = benign.backwardMeanNll(w, config.retainWeight(), ctx.config().vocabChunk());
            parts.put("retain_nll", nll);
            loss += config.retainWeight() * nll;
            tokens += benign.realTokens();
            lossTokens += benign.targets();
        }
        return new StepLoss(loss, tokens, lossTokens, parts);
    }

    /**
     * The RL form, as the paper trains it: GRPO on harmful prompts ({@code batch} per rollout batch, n =
     * {@code rollouts} sampled completions each) with the entropy reward r(q, o) = −(1/|o|) Σ_t H_t computed under
     * the policy that sampled, the k3 KL to the model as it was (β = {@code kl_coef}), and after
     * {@code noiser_warmup} updates every even update a Token Noiser update on the latest rollouts instead
     * (noiser_weight · mean_t TN_t with the rollout tokens as y_t).
     */
    private DefenceResult applyRl(LlamaWeights weights, DefenceData data) {
        List<int[]> prompts = ExampleStream.require(NAME, "harmful prompts", data.harmfulPrompts());
        Set<Integer> stops = Set.copyOf(weights.config().eosTokenIds());
        RlSettings settings = new RlSettings(PolicyLoss.Algorithm.GRPO, config.batch(), config.rollouts(),
                config.maxNewTokens(), config.temperature(), 1.0, 0.2, config.klCoef(), 1);
        Random noise = new Random(ExampleStream.streamSeed(seed, "token noiser"));
        LossHistory history = new LossHistory();
        try (LlamaWeights reference = config.klCoef() > 0
                ? LlamaWeights.fromHost(weights.config(), weights.toHost(), weights.device()) : null) {
            PolicyGradientObjective grpo = new PolicyGradientObjective(prompts, TokenBuncher::entropyReward, settings,
                    reference, stops, ExampleStream.streamSeed(seed, "rollouts"));
            Objective objective = ctx -> {
                boolean noiser = ctx.step() > config.noiserWarmup() && ctx.step() % 2 == 0
                        && grpo.lastBatch() != null;
                if (!noiser) {
                    return history.add(grpo.step(ctx));
                }
                RolloutBatch b = grpo.lastBatch();
                double tn = backwardRolloutNoiser(ctx.weights(), b, config, noise);
                return history.add(new StepLoss(config.noiserWeight() * tn, b.realTokens(), b.targets(),
                        Map.of("noiser_ce", tn)));
            };
            TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(),
                    seed);
            List<Double> rewards = grpo.meanRewards();
            Map<String, Double> extra = new LinkedHashMap<>();
            extra.put("first_entropy", rewards.isEmpty() ? Double.NaN : -rewards.get(0));
            extra.put("final_entropy", rewards.isEmpty() ? Double.NaN : -rewards.get(rewards.size() - 1));
            extra.put("rollout_batches", (double) grpo.rolloutBatches());
            return DefenceResult.of(r, history.metrics("", r, extra));
        }
    }

    /**
     * The entropy reward of each rollout: −(1/|o|) Σ_t H(π(· | q, o_&lt;t)) under {@code policy}, computed with grad
     * mode off (N × V logits at the rollouts' positions).
     */
    static double[] entropyReward(LlamaWeights policy, List<int[]> prompts, List<int[]> completions) {
        RolloutBatch b = RolloutBatch.of(prompts, completions, new int[prompts.size()]);
        float[] h;
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(policy.device())) {
            NDArray logp = Linear.linear(b.targetHidden(policy, scope), policy.get(LlamaNames.LM_HEAD), null).head()
                    .logSoftmax(-1);
            h = logp.exp().mul(logp).sum(new int[] {-1}).neg().toFloatArray();
        } finally {
            JniUtils.setGradMode(previous);
        }
        double[] sum = new double[b.rows()];
        int[] count = new int[b.rows()];
        for (int k = 0; k < h.length; k++) {
            sum[b.targetRows()[k]] += h[k];
            count[b.targetRows()[k]]++;
        }
        double[] reward = new double[b.rows()];
        for (int i = 0; i < reward.length; i++) {
            reward[i] = -sum[i] / count[i];
        }
        return reward;
    }

    /** Backpropagates noiser_weight · mean_t TN_t over the rollouts' completion tokens; returns mean TN. */
    static double backwardRolloutNoiser(LlamaWeights w, RolloutBatch batch, TokenBuncherConfig config,
            Random noise) {
        int n = batch.targets();
        int vocab = w.config().vocabSize();
        float[] q = noiserTargets(batch.batch().targetTokens(), vocab, config.epsilon(), noise);
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray logp = Linear.linear(batch.targetHidden(w, scope), w.get(LlamaNames.LM_HEAD), null).head()
                    .logSoftmax(-1);
            NDArray noiser = logp.mul(scope.create(q, new Shape(n, vocab))).sum().neg()
                    .mul(ResponseBatch.constant(scope, 1.0 / n));
            recording.backward(noiser.mul(ResponseBatch.constant(scope, config.noiserWeight())));
            return noiser.getFloat();
        }
    }

    /**
     * Backpropagates entropy_weight · mean_t H_t + noiser_weight · mean_t TN_t over the batch's response positions;
     * returns {mean H, mean TN}. Needs the full next-token distribution at every position (N × V logits).
     */
    static double[] backwardBunching(LlamaWeights w, ResponseBatch batch, TokenBuncherConfig config,
            Random noise) {
        int n = batch.targets();
        int vocab = w.config().vocabSize();
        float[] q = noiserTargets(batch.targetTokens(), vocab, config.epsilon(), noise);
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray logp = batch.targetLogits(w, scope).logSoftmax(-1); // (N, V)
            NDArray perToken = ResponseBatch.constant(scope, 1.0 / n);
            NDArray entropy = logp.exp().mul(logp).sum().neg().mul(perToken); // mean_t H_t
            NDArray noiser = logp.mul(scope.create(q, new Shape(n, vocab))).sum().neg().mul(perToken);
            NDArray loss = entropy.mul(ResponseBatch.constant(scope, config.entropyWeight()))
                    .add(noiser.mul(ResponseBatch.constant(scope, config.noiserWeight())));
            recording.backward(loss);
            return new double[] {entropy.getFloat(), noiser.getFloat()};
        }
    }

    /**
     * The Token Noiser's targets q_t, row-major (N × V): 1 − ε on y_t and ε · z_t elsewhere, with
     * z_t(v) = u_v / Σ_{v'≠y_t} u_v' for v ≠ y_t (u ~ U(0, 1) from {@code random}) and z_t(y_t) = 0.
     */
    static float[] noiserTargets(long[] targets, int vocab, double epsilon, Random random) {
        float[] q = new float[targets.length * vocab];
        double[] u = new double[vocab];
        for (int i = 0; i < targets.length; i++) {
            int y = (int) targets[i];
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                u[v] = v == y ? 0 : random.nextDouble();
                sum += u[v];
            }
            int row = i * vocab;
            for (int v = 0; v < vocab; v++) {
                q[row + v] = (float) (sum > 0 ? epsilon * u[v] / sum : 0);
            }
            q[row + y] = (float) (1 - epsilon);
        }
        return q;
    }
}
