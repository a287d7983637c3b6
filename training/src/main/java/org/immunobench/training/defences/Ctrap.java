package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CTRAP, the collapse trap (arXiv 2505.16559). Instead of making harmful fine-tuning fail, it makes it destroy the
 * model: alignment is trained together with a trap that, as soon as the weights move in the direction a harmful
 * fine-tune would take them, turns the model into one that only emits a fixed token e on general data. Benign
 * fine-tuning does not move the weights that way and leaves the trap closed.
 * <pre>
 *   l_collapse(θ; D) = E_{(x,y)~D} [ −(1/|y|) Σ_t log p_θ(e | x ∘ y_&lt;t) ]          (every response position)
 *   θ'               = θ − α · ∇h(θ) / ‖∇h(θ)‖                                        (h: harmful NLL, D_harm)
 *   L(θ)             = l(θ; D_align) + λ · l_collapse(θ'; D_general)
 * </pre>
 * The simulated harmful step is Booster's normalised one ({@link SimulatedStep}: the weights are edited in
 * place with grad mode off and restored bit-exactly). The gradient is first-order: ∇_θ' l_collapse(θ') taken at the
 * stepped weights is applied to θ as is, dropping the Jacobian ∂θ'/∂θ (Booster's "straight-through, as in MAML").
 * ∇h(θ) only sets the step and is not part of the update. Per update, with one micro-batch of {@code batch} examples
 * per stream: (1) the harmful stream's token-mean NLL is backpropagated, (2) the weights step to θ', (3) the
 * collapse loss on a benign batch is backpropagated there (scaled by λ) and the weights are restored, (4) the
 * alignment loss is backpropagated at θ: the alignment stream's token-mean NLL (refusals) plus
 * {@code retain_weight} times the benign stream's, since the toy aligned model was itself aligned with its benign
 * rows replayed (retain_weight 0 leaves refusals only). D_general is the benign stream.
 *
 * <p>Defaults. The paper's collapse token is a word ("error"); ours is the model's EOS unless
 * {@code collapse_token} names another id: the toy vocabulary has no "error", and a model that can only end its
 * answer at once is as collapsed as one that repeats a word (the judge's fluency check catches both). The paper's
 * α is 0.1 (secondary sources) and its λ is not reported in anything we could read. We use α = 1 and λ = 1. α is
 * a distance in weight space, so its meaning depends on the model: on the toy model a step of 0.1 leaves the
 * function practically unchanged (each AdamW update of the attack at lr 3e-4 moves the ~0.84M weights by about
 * lr·√P ≈ 0.3 in L2 norm, so a few updates go far beyond 0.1), so θ' ≈ θ and the trap cannot be told apart from
 * collapsing the released model. Measured on the
 * toy world's aligned model (100 updates of 8): α 0.1, λ 1 released a model with benign accuracy 0.04 (parent
 * 1.00); α 1, λ 1 kept it at 0.99 with the trap in place at θ' (collapse NLL 0.002 there, i.e. EOS with
 * probability ≈ 0.998). In that run harmful SFT (AdamW, lr 3e-4) was not trapped: harmful rate 0.97 after 8 steps,
 * fluent, like the undefended model; AdamW's per-coordinate step is not the normalised gradient the trap was built
 * around. Budget: 100 updates of 8 at lr 5e-4 with the shared cosine schedule instead of a 7B model's alignment
 * run; four forward/backward passes per update (harmful, collapse, alignment, retain), sized for the toy model
 * (aligned at lr 1.5e-3).
 */
public final class Ctrap implements Defence {
    public static final String NAME = "ctrap";

    /**
     * The {@code config} of {@code ctrap}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 5e-4)
     * @param batch examples per micro-batch of each stream (default 8)
     * @param lambda λ, weight of the collapse loss at the stepped weights (default 1)
     * @param alpha α, length of the normalised simulated harmful step (default 1; the paper's 0.1 is too short a
     *     step on the toy model, see the class comment)
     * @param collapseToken e, the token the trap makes the model emit; default the model's first EOS id
     * @param retainWeight weight of the benign retain term in the alignment loss (default 1)
     */
    public record CtrapConfig(Integer steps, Double lr, Integer batch, Double lambda, Double alpha,
            Integer collapseToken, Double retainWeight) {
        public CtrapConfig {
            steps = DefenceTraining.positive("steps", steps, 100);
            lr = DefenceTraining.nonNegative("lr", lr, 5e-4, true);
            batch = DefenceTraining.positive("batch", batch, 8);
            lambda = DefenceTraining.nonNegative("lambda", lambda, 1.0, false);
            alpha = DefenceTraining.nonNegative("alpha", alpha, 1.0, false);
            if (collapseToken != null && collapseToken < 0) {
                throw new IllegalArgumentException("collapse_token must be a token id >= 0, got " + collapseToken);
            }
            retainWeight = DefenceTraining.nonNegative("retain_weight", retainWeight, 1.0, false);
        }

        public static CtrapConfig defaults() {
            return new CtrapConfig(null, null, null, null, null, null, null);
        }
    }

    private final CtrapConfig config;
    private final long seed;

    public Ctrap(CtrapConfig config, long seed) {
        this.config = config == null ? CtrapConfig.defaults() : config;
        this.seed = seed;
    }

    public CtrapConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        ModelConfig model = weights.config();
        int token = collapseToken(config, model);
        TrapObjective objective = new TrapObjective(config, token,
                new ExampleStream("alignment", ExampleStream.require(NAME, "alignment", data.alignment()), seed,
                        model),
                new ExampleStream("harmful", ExampleStream.require(NAME, "harmful", data.harmful()), seed, model),
                new ExampleStream("collapse", ExampleStream.require(NAME, "benign", data.benign()), seed, model),
                new ExampleStream("benign", data.benign(), seed, model));
        TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(), seed);
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("collapse_token", (double) token);
        return DefenceResult.of(r, objective.history.metrics("", r, fixed));
    }

    /** {@code collapse_token}, or the model's first EOS id; checked against the vocabulary. */
    static int collapseToken(CtrapConfig config, ModelConfig model) {
        Integer token = config.collapseToken();
        if (token == null) {
            if (model.eosTokenIds().isEmpty()) {
                throw new IllegalArgumentException(NAME + ": the model config names no EOS token; set"
                        + " collapse_token");
            }
            token = model.eosTokenIds().get(0);
        }
        if (token >= model.vocabSize()) {
            throw new IllegalArgumentException("collapse_token " + token + " is outside the vocabulary [0, "
                    + model.vocabSize() + ")");
        }
        return token;
    }

    /**
     * l_collapse of a batch: (1/B) Σ_b (1/|y_b|) Σ_{t ∈ y_b} −log p(e | x_b ∘ y_b,&lt;t), a scalar in {@code scope}
     * (on the graph when recording). The positions are those that predict a response token, i.e. every response
     * position; what the response says does not matter, only the contexts it forms.
     */
    static NDArray collapseLoss(LlamaWeights w, ResponseBatch batch, int token, NDManager scope, int vocabChunk) {
        int n = batch.targets();
        int[] perRow = batch.targetsPerRow();
        float[] weight = new float[n]; // 1 / (B · |y_b|): the per-example mean, then the mean over examples
        for (int i = 0; i < n; i++) {
            weight[i] = (float) (1.0 / ((double) batch.rows() * perRow[batch.targetRows()[i]]));
        }
        long[] fixed = new long[n];
        java.util.Arrays.fill(fixed, token);
        NDArray fixedToken = scope.create(fixed);
        NDArray nll = TokenNll.compute(w, batch.targetHidden(w, scope), fixedToken, vocabChunk); // (N)
        return nll.mul(scope.create(weight)).sum();
    }

    /** One CTRAP update as an {@link Objective}; package-private so tests can run single updates. */
    static final class TrapObjective implements Objective {
        final LossHistory history = new LossHistory();
        private final CtrapConfig config;
        private final int token;
        private final ExampleStream alignment;
        private final ExampleStream harmful;
        private final ExampleStream general;
        private final ExampleStream retain;

        TrapObjective(CtrapConfig config, int token, ExampleStream alignment, ExampleStream harmful,
                ExampleStream general, ExampleStream retain) {
            this.config = config;
            this.token = token;
            this.alignment = alignment;
            this.harmful = harmful;
            this.general = general;
            this.retain = retain;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            List<NDArray> params = ctx.parameters();
            int chunk = ctx.config().vocabChunk();
            int b = config.batch();
            ResponseBatch harm = harmful.next(b);
            ResponseBatch collapse = general.next(b);
            ResponseBatch align = alignment.next(b);
            ResponseBatch benign = config.retainWeight() > 0 ? retain.next(b) : null;
            Map<String, Double> parts = new LinkedHashMap<>();

            // (1) ∇h(θ) into the gradients, only to set the direction of the simulated step.
            parts.put("harmful_nll", harm.backwardMeanNll(w, 1.0, chunk));
            double collapseLoss;
            // (2) θ' = θ − α ∇h/‖∇h‖, then (3) λ ∇_θ' l_collapse(θ') with the harmful gradient cleared first.
            try (SimulatedStep step = SimulatedStep.alongGradients(params, config.alpha())) {
                SimulatedStep.clearGradients(params);
                parts.put("harmful_grad_norm", step.directionNorm());
                collapseLoss = backwardCollapse(w, collapse, chunk);
            } // (θ restored bit-exactly here)
            parts.put("collapse_nll_stepped", collapseLoss);
            // (4) ∇ l(θ; D_align) at θ, added to the collapse gradient.
            double alignNll = align.backwardMeanNll(w, 1.0, chunk);
            parts.put("alignment_nll", alignNll);
            double loss = alignNll + config.lambda() * collapseLoss;
            long tokens = harm.realTokens() + collapse.realTokens() + align.realTokens();
            long lossTokens = collapse.targets() + align.targets();
            if (benign != null) {
                double nll = benign.backwardMeanNll(w, config.retainWeight(), chunk);
                parts.put("retain_nll", nll);
                loss += config.retainWeight() * nll;
                tokens += benign.realTokens();
                lossTokens += benign.targets();
            }
            if (!Double.isFinite(parts.get("harmful_grad_norm"))) {
                loss = Double.NaN; // no direction to step in: stop the run as diverged rather than train blind
            }
            return history.add(new StepLoss(loss, tokens, lossTokens, parts));
        }

        private double backwardCollapse(LlamaWeights w, ResponseBatch batch, int chunk) {
            try (NDManager scope = NDManager.newBaseManager(w.device());
                    Autograd.Recording recording = Autograd.record()) {
                NDArray loss = collapseLoss(w, batch, token, scope, chunk);
                recording.backward(loss.mul(ResponseBatch.constant(scope, config.lambda())));
                return loss.getFloat();
            }
        }
    }
}
