package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.scoring.TokenNll;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * TAR, Tampering Attack Resistance (Tamirisa et al., "Tamper-Resistant Safeguards for Open-Weight LLMs",
 * arXiv 2408.00761, ICLR 2025): adversarial training against simulated fine-tuning attacks by first-order
 * meta-learning.
 *
 * <pre>
 *   min_θ  λ_TR · Σ_k w_k · L_TR(θ_k; x_TR)  +  λ_retain · L_retain(θ; x_benign)
 *
 *   θ_0 = θ,  θ_k = θ_{k−1} − η ∇ NLL_harm(θ_{k−1}; x_adv,k)        k = 1 … K, η drawn from adversary_lrs each update
 *   w_k    = exp(λ_s · (k − K))  when k is a multiple of tr_every, else 0 (the last step weighs 1, earlier ones less)
 *   L_TR   = entropy:  −H, the mean over harmful response positions of Σ_v p_v log p_v (maximise the entropy of the
 *                      attacked model's next-token distribution on harmful completions, so the attacker's loss stays
 *                      flat and high)
 *            refusal:  the NLL of refusals (alignment stream) at θ_k (the attacked model should still refuse)
 *   L_retain = CE(θ; x_benign) + (1 / (S·P·D)) Σ_{s, real positions} ‖h_s(x_benign; θ) − h_s(x_benign; θ_init)‖²
 * </pre>
 * h_s are the S = L + 1 residual-stream states (embeddings, then after every layer), P the real (non-pad) positions,
 * D the width, θ_init the weights this defence started from, frozen (evaluated with grad mode off).
 *
 * <p>First-order: the gradient ∇_{θ_k} L_TR(θ_k) taken at the attacked weights is applied to θ as it is; the
 * Jacobian of the inner steps is dropped (the paper's "scalable first-order meta-learning"). The inner steps run in
 * place on the trainable weights and are undone exactly before the retain term is computed at θ ({@link InnerLoop});
 * then the trainer's AdamW takes the one real update.
 *
 * <p>The step weighting is the official code's: the TR loss is taken after every {@code tr_every}-th attack step
 * (its {@code tar_inner_loop_subsample}) with the weight exp(λ_s (k − K)), not normalised, times the TR gradient scale
 * (our λ_TR). {@code schedule_lambda: 0} weighs every evaluation 1 (the code's unscheduled variant uses 1/K).
 *
 * <p>Paper / official code defaults, and ours (toy world, ~0.84M parameters, 1 CPU thread):
 * <ul>
 *   <li>{@code steps} 750 outer updates at {@code lr} 2e-5, batch 8 (8B models, 8 A100s). Ours: 40 updates at 1e-3,
 *     batch 8. An update costs K attack steps + K/tr_every TR passes + the retain pass on the frozen and the live
 *     model, about 9.5 forward/backward passes: 40 updates took 19 s of CPU on one thread for a toy-shaped model
 *     (measured on a loaded machine, where a plain SFT step cost 70 ms). The paper's outer lr equals its middle
 *     adversary lr (2e-5, both AdamW): the defender steps as far as the attacker. 1e-3 is the toy attack's AdamW lr
 *     ({@code harmful_sft}); 2e-4 barely moved the TR loss in a probe.</li>
 *   <li>{@code inner_steps} K = 64 adversary steps per update, TR loss every 4th ({@code tr_every} 4),
 *     λ_s = 0.0625. Ours: K = 4, every step, λ_s = 1.0. λ_s·K is kept at the paper's 4, so the first evaluation
 *     weighs e^−3 of the last: the same shape over the shorter loop.</li>
 *   <li>{@code adversary_lrs}: the code's adversaries are AdamW at {2e-6, 2e-5, 4e-5} (with warm-up variants and a
 *     mix of harmful, benign and retain-then-forget data, three adversaries per update). Ours: plain SGD steps, one
 *     adversary per update, harmful data only, at {0.05, 0.1, 0.2}. Calibrated on a toy-shaped model briefly trained
 *     on synthetic rows: 4 SGD steps at these rates lowered the harmful NLL from 11.0 to 6.1 / 5.9 / 5.6, against
 *     6.0 for 4 AdamW steps at the toy attack's 1e-3, so the simulated attacker is about as strong as the real one
 *     over the same steps (0.5 was no stronger, 1.0 overshot).</li>
 *   <li>{@code lambda_tr} 4.0 and {@code lambda_retain} 1.0: the code's TR gradient scale and retain scale, kept.
 *     With the code's defaults its unnormalised step weights sum to about 4.44 (16 evaluations), ours to about 1.55
 *     (4), so per unit of TR loss our TR term weighs less against the retain term than the paper's.</li>
 *   <li>{@code tr_loss}: entropy for weaponisation knowledge (bio, cyber); the paper's refusal safeguard uses a DPO
 *     loss with refusals as the chosen answers. Ours offers entropy (default) and, instead of DPO, the plain NLL of
 *     the alignment stream's refusals.</li>
 *   <li>Retain representations: the code compares with a separate base model and uses the per-position L2 norm (not
 *     squared), pads included; we compare with the initial weights and use the squared distance per real position,
 *     averaged over positions, states and width (a mean squared error), as the formula above says.</li>
 *   <li>The code skips the TR gradient when the TR loss falls below a bound (−11.76 = −ln of Llama-3's vocabulary,
 *     which the entropy loss cannot go below anyway); we never skip. The code starts from a "random-mapped"
 *     safeguard; we start from the parent as given. TR batches come from the harmful stream in a different order
 *     than the adversary's (the paper holds out a separate split).</li>
 * </ul>
 */
public final class Tar implements Defence {
    public static final String NAME = "tar";

    /** Which tamper-resistance loss is evaluated at the attacked weights. */
    enum TamperLoss {
        ENTROPY("entropy"), REFUSAL("refusal");

        final String key;

        TamperLoss(String key) {
            this.key = key;
        }

        static TamperLoss of(String key) {
            for (TamperLoss l : values()) {
                if (l.key.equals(key)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("tr_loss must be entropy or refusal, got '" + key + "'");
        }
    }

    /**
     * The {@code config} of a {@code tar} defence; every field optional.
     *
     * @param steps outer (optimiser) updates
     * @param lr peak learning rate of the outer AdamW
     * @param batch examples per batch, for every stream (adversary, TR, retain)
     * @param innerSteps K, simulated attack steps per update
     * @param adversaryLrs the simulated attacker's SGD learning rates; one is drawn per update
     * @param trLoss {@code entropy} or {@code refusal}
     * @param lambdaTr weight of the tamper-resistance term (the code's TR gradient scale)
     * @param lambdaRetain weight of the retain term
     * @param trEvery the TR loss is evaluated after every {@code tr_every}-th attack step (≤ K)
     * @param scheduleLambda λ_s of the step weighting exp(λ_s (k − K)); 0 = every evaluation weighs 1
     */
    public record TarConfig(Integer steps, Double lr, Integer batch, Integer innerSteps, List<Double> adversaryLrs,
            String trLoss, Double lambdaTr, Double lambdaRetain, Integer trEvery, Double scheduleLambda) {
        public static final int DEFAULT_STEPS = 40;
        public static final double DEFAULT_LR = 1e-3;
        public static final int DEFAULT_BATCH = 8;
        public static final int DEFAULT_INNER_STEPS = 4;
        public static final List<Double> DEFAULT_ADVERSARY_LRS = List.of(0.05, 0.1, 0.2);
        public static final String DEFAULT_TR_LOSS = "entropy";
        public static final double DEFAULT_LAMBDA_TR = 4.0;
        public static final double DEFAULT_LAMBDA_RETAIN = 1.0;
        public static final int DEFAULT_TR_EVERY = 1;
        public static final double DEFAULT_SCHEDULE_LAMBDA = 1.0;

        public TarConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            innerSteps = DefenceTraining.positive("inner_steps", innerSteps, DEFAULT_INNER_STEPS);
            adversaryLrs = adversaryLrs == null ? DEFAULT_ADVERSARY_LRS : List.copyOf(adversaryLrs);
            if (adversaryLrs.isEmpty()) {
                throw new IllegalArgumentException("adversary_lrs must list at least one learning rate");
            }
            for (Double a : adversaryLrs) {
                if (a == null || !Double.isFinite(a) || a <= 0) {
                    throw new IllegalArgumentException("adversary_lrs entries must be finite and > 0, got " + a);
                }
            }
            trLoss = trLoss == null ? DEFAULT_TR_LOSS : TamperLoss.of(trLoss).key;
            lambdaTr = DefenceTraining.nonNegative("lambda_tr", lambdaTr, DEFAULT_LAMBDA_TR, false);
            lambdaRetain = DefenceTraining.nonNegative("lambda_retain", lambdaRetain, DEFAULT_LAMBDA_RETAIN, false);
            trEvery = DefenceTraining.positive("tr_every", trEvery, DEFAULT_TR_EVERY);
            if (trEvery > innerSteps) {
                throw new IllegalArgumentException("tr_every must be <= inner_steps=" + innerSteps
                        + " (else the TR loss is never evaluated), got " + trEvery);
            }
            scheduleLambda = DefenceTraining.nonNegative("schedule_lambda", scheduleLambda, DEFAULT_SCHEDULE_LAMBDA,
                    false);
        }

        public static TarConfig defaults() {
            return new TarConfig(null, null, null, null, null, null, null, null, null, null);
        }

        TamperLoss tamperLoss() {
            return TamperLoss.of(trLoss);
        }
    }

    private final TarConfig config;
    private final long seed;

    public Tar(TarConfig config, long seed) {
        this.config = config == null ? TarConfig.defaults() : config;
        this.seed = seed;
    }

    public TarConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        try (LlamaWeights initial = LlamaWeights.fromHost(weights.config(), weights.toHost(), weights.device())) {
            TarObjective objective = objective(initial, data);
            TrainingResult result = DefenceTraining.train(weights, objective, config.steps(), config.lr(),
                    config.batch(), seed);
            Map<String, Double> metrics = objective.history.firstAndLast(result);
            metrics.put("inner_steps", (double) config.innerSteps());
            metrics.put("lambda_tr", config.lambdaTr());
            metrics.put("lambda_retain", config.lambdaRetain());
            return DefenceResult.of(result, metrics);
        }
    }

    /** The loss of one update, drawing its batches from {@code data}; {@code initial} is θ_init, read only. */
    TarObjective objective(LlamaWeights initial, DefenceData data) {
        var c = initial.config();
        List<TrainingExample> harmful = DefenceStreams.require(NAME, "harmful", data.harmful(), c);
        List<TrainingExample> benign = DefenceStreams.require(NAME, "benign", data.benign(), c);
        List<TrainingExample> tamper = config.tamperLoss() == TamperLoss.REFUSAL
                ? DefenceStreams.require(NAME, "alignment", data.alignment(), c) : harmful;
        return new TarObjective(config, initial, new SupervisedObjective(harmful, seed),
                new SupervisedObjective(tamper, seed + 1), new SupervisedObjective(benign, seed + 2),
                new Random(seed + 3));
    }

    /**
     * w_k for k = 1 … K (index k; index 0 unused): exp(λ_s (k − K)) when k is a multiple of {@code trEvery}, else 0.
     */
    static double[] stepWeights(int innerSteps, int trEvery, double scheduleLambda) {
        double[] w = new double[innerSteps + 1];
        for (int k = trEvery; k <= innerSteps; k += trEvery) {
            w[k] = Math.exp(scheduleLambda * (k - innerSteps));
        }
        return w;
    }

    /**
     * −H averaged over the batch's target positions: (1/N) Σ_n Σ_v p_v log p_v with p = softmax of the logits at the
     * positions that predict a response token. A scalar in {@code scope}, on the autograd graph when recording.
     * Builds the full (N, V) logits: fine for toy and 32k vocabularies; a 128k one at large N would want chunks.
     */
    static NDArray negativeEntropy(LlamaWeights w, PaddedBatch batch, NDManager scope) {
        NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
        NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
        ForwardResult r = LlamaForward.forward(w, tokens, mask, ForwardOptions.hiddenOnly(), null);
        NDArray picked = r.finalHidden().reshape(-1, w.config().hiddenSize())
                .get(scope.create(batch.targetPositions())); // (N, D)
        NDArray logProbs = Linear.linear(picked, w.get(LlamaNames.LM_HEAD), null).head().logSoftmax(-1); // (N, V)
        return logProbs.exp().mul(logProbs).sum(new int[] {-1}).mean(); // ()
    }

    /** TAR's loss, one update at a time; see the class comment. */
    static final class TarObjective implements Objective {
        private final TarConfig config;
        private final TamperLoss tamperLoss;
        private final LlamaWeights initial;
        private final SupervisedObjective adversary;
        private final SupervisedObjective tamper;
        private final SupervisedObjective retain;
        private final Random adversaryLrs;
        private final double[] weights;
        final LossHistory history = new LossHistory();

        TarObjective(TarConfig config, LlamaWeights initial, SupervisedObjective adversary,
                SupervisedObjective tamper, SupervisedObjective retain, Random adversaryLrs) {
            this.config = config;
            this.tamperLoss = config.tamperLoss();
            this.initial = initial;
            this.adversary = adversary;
            this.tamper = tamper;
            this.retain = retain;
            this.adversaryLrs = adversaryLrs;
            this.weights = stepWeights(config.innerSteps(), config.trEvery(), config.scheduleLambda());
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int batch = config.batch();
            int vocabChunk = ctx.config().vocabChunk();
            double eta = config.adversaryLrs().get(adversaryLrs.nextInt(config.adversaryLrs().size()));
            PaddedBatch trBatch = tamper.next(batch);
            InnerLoop.Loss trLoss = tamperLoss == TamperLoss.ENTROPY
                    ? (m, scope) -> negativeEntropy(m, trBatch, scope)
                    : InnerLoop.meanNll(trBatch, vocabChunk);
            long tokens = 0;
            double tamperTerm = 0; // Σ_k w_k L_TR(θ_k)
            double lastTr = Double.NaN;
            double adversaryStart = Double.NaN;
            double adversaryEnd = Double.NaN;
            try (InnerLoop attack = InnerLoop.begin(w, ctx.parameters())) {
                for (int k = 1; k <= config.innerSteps(); k++) {
                    PaddedBatch adv = adversary.next(batch);
                    tokens += adv.realTokens();
                    adversaryEnd = attack.descend(InnerLoop.meanNll(adv, vocabChunk), eta);
                    if (k == 1) {
                        adversaryStart = adversaryEnd;
                    }
                    if (weights[k] > 0) {
                        lastTr = attack.accumulate(trLoss, config.lambdaTr() * weights[k]);
                        tamperTerm += weights[k] * lastTr;
                        tokens += trBatch.realTokens();
                    }
                }
            } // θ is back; the gradients hold λ_TR Σ_k w_k ∇L_TR(θ_k)
            PaddedBatch benign = retain.next(batch);
            double[] retainTerms = retainBackward(w, initial, benign, vocabChunk, config.lambdaRetain());
            tokens += 2 * benign.realTokens();
            double loss = config.lambdaTr() * tamperTerm + config.lambdaRetain() * (retainTerms[0] + retainTerms[1]);
            Map<String, Double> parts = new LinkedHashMap<>();
            parts.put("tamper_resistance", tamperTerm);
            parts.put("tamper_resistance_after_attack", lastTr);
            parts.put("retain_ce", retainTerms[0]);
            parts.put("retain_mse", retainTerms[1]);
            parts.put("adversary_nll_start", adversaryStart);
            parts.put("adversary_nll_end", adversaryEnd);
            parts.put("adversary_lr", eta);
            history.add(parts);
            return new StepLoss(loss, tokens, trBatch.targetTokens().length + benign.targetTokens().length, parts);
        }

        @Override
        public String progress() {
            return String.format(Locale.ROOT, "(%s, K=%d)", tamperLoss.key, config.innerSteps());
        }
    }

    /**
     * Adds {@code weight} · ∇L_retain(θ) to the gradients, with L_retain = CE + hidden-state MSE against
     * {@code initial}; returns {CE, MSE}. The reference states are computed with grad mode off, before recording.
     */
    static double[] retainBackward(LlamaWeights w, LlamaWeights initial, PaddedBatch batch, int vocabChunk,
            double weight) {
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
            NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
            ForwardOptions capture = ForwardOptions.hiddenOnly().withCapture();
            boolean previous = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            List<NDArray> reference;
            try {
                reference = LlamaForward.forward(initial, tokens, mask, capture, null).hiddenStates();
            } finally {
                JniUtils.setGradMode(previous);
            }
            try (Autograd.Recording recording = Autograd.record()) {
                ForwardResult r = LlamaForward.forward(w, tokens, mask, capture, null);
                int d = w.config().hiddenSize();
                NDArray picked = r.finalHidden().reshape(-1, d).get(scope.create(batch.targetPositions()));
                NDArray ce = TokenNll.compute(w, picked, scope.create(batch.targetTokens()), vocabChunk).sum()
                        .mul(scope.full(new Shape(), 1f / batch.targetTokens().length));
                List<NDArray> states = r.hiddenStates();
                NDArray squared = null; // Σ_s Σ_{real positions} ‖h_s − h_s,init‖²
                for (int s = 0; s < states.size(); s++) {
                    NDArray perPosition = states.get(s).sub(reference.get(s)).square().sum(new int[] {-1}); // (B, T)
                    NDArray term = perPosition.mul(mask).sum();
                    squared = squared == null ? term : squared.add(term);
                }
                NDArray mse = squared.mul(scope.full(new Shape(),
                        (float) (1.0 / ((double) states.size() * batch.realTokens() * d))));
                NDArray total = ce.add(mse);
                recording.backward(weight == 1.0 ? total : total.mul(scope.full(new Shape(), (float) weight)));
                return new double[] {ce.getFloat(), mse.getFloat()};
            }
        }
    }
}
