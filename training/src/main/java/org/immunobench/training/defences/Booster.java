package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Booster, attenuating the harmful perturbation (Huang et al., "Booster: Tackling Harmful Fine-tuning for Large
 * Language Models via Attenuating Harmful Perturbation", arXiv 2409.01586, ICLR 2025). Align while making one
 * simulated harmful fine-tuning step as useless as possible:
 * <pre>
 *   min_w  f(w) + λ · ( h(w) − h(w − α · ∇h(w) / ‖∇h(w)‖) )
 * </pre>
 * f the response NLL on the alignment stream (harmful prompt → refusal), h the response NLL on the harmful stream (the
 * defender's simulated attacker data), ‖·‖ one L2 norm over all trainable parameters. The gradient is the paper's
 * first-order one: the stepped point w' = w − α ∇h/‖∇h‖ is treated as w plus a constant shift, so the Jacobian of the
 * normalised gradient (a Hessian term) is dropped, as the paper does ("straight-through", as in first-order MAML):
 * <pre>
 *   g = ∇f(w) + λ · ( ∇h(w) − ∇h(w') )
 * </pre>
 * Three passes per step, each a separate autograd recording: (1) ∇h(w) on a harmful batch; (2) the simulated step taken
 * in place ({@link SimulatedStep}), ∇h(w') on the same batch, weights restored bit-exactly; (3) ∇f(w) on an alignment
 * batch. The gradients accumulate in the parameters' own buffers (pass 1's are scaled by λ in place before pass 2
 * adds −λ∇h(w')), so no gradient is copied. λ = 0 skips passes 1–2 (plain alignment).
 *
 * <p>Defaults, paper (script/alignment/smooth_align.sh) → ours:
 * <ul>
 *   <li>{@code lambda} 5 → 5: a weight between two losses of the same kind (mean token NLL), with nothing tied to the
 *     model's size.</li>
 *   <li>{@code alpha} 0.1 → 0.1. α is a length in parameter space, and ours (0.84M weights, full fine-tuning) is not
 *     the paper's (a LoRA adapter on Llama-2-7B), so we checked what it simulates: on the toy world's aligned model a
 *     normalised step of 0.1 lowers the harmful loss of a batch of 8 from 1.00 to 0.67, close to what one step of the
 *     toy attack (AdamW at 1e-3, batch 8) does (0.54); at 0.3 it reaches 0.44, and at 1 it overshoots (1.16), where
 *     the first-order picture the method rests on breaks down.</li>
 *   <li>{@code steps} 100, {@code batch} 8 (of each stream), {@code lr} 2e-4 (full fine-tuning with the shared
 *     {@link DefenceTraining} optimisation) ← 20 epochs over 5000 alignment + 5000 harmful samples, batch 10, lr 5e-4,
 *     constant, weight decay 0.1, LoRA r = 32 on q, k, v. Small budgets for a small, already aligned parent (15.5 s of
 *     CPU on one thread on the toy world, three passes per step); full fine-tuning takes a smaller step than a LoRA
 *     adapter.</li>
 * </ul>
 * Observed on the toy world at these defaults: Booster lowers the harmful NLL before any attack (held-out harmful
 * answers 0.91 → 0.44 nats/token, about where the attack ends up) while the refusal NLL stays low (0.38 → 0.42). The
 * attenuation term h(w) − h(w') is smallest where ∇h vanishes, and the toy parent, pretrained on these answers, is close
 * to such a point. The refusals then hold longer: after 32 steps of the toy attack the refusal NLL is 2.16 against 3.96
 * undefended. Read {@code harmful_nll} for Booster next to the judged rates, not alone.
 * Metrics: {@code final_loss} (the objective), tail means over the last tenth of the run of {@code alignment_loss}
 * f, {@code harmful_loss} h, {@code harmful_loss_after_step} h(w') and {@code harmful_gradient_norm} ‖∇h‖, and the
 * settings.
 */
public final class Booster implements Defence {
    public static final String NAME = "booster";

    /**
     * The {@code config} of {@code booster}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 2e-4)
     * @param batch examples per update from each of the alignment and harmful streams (default 8)
     * @param lambda λ ≥ 0, weight of the attenuation term (default 5)
     * @param alpha α ≥ 0, L2 length of the simulated harmful step (default 0.1)
     */
    public record BoosterConfig(Integer steps, Double lr, Integer batch, Double lambda, Double alpha) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 2e-4;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_LAMBDA = 5;
        public static final double DEFAULT_ALPHA = 0.1;

        public BoosterConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            lambda = DefenceTraining.nonNegative("lambda", lambda, DEFAULT_LAMBDA, false);
            alpha = DefenceTraining.nonNegative("alpha", alpha, DEFAULT_ALPHA, false);
        }

        public static BoosterConfig defaults() {
            return new BoosterConfig(null, null, null, null, null);
        }
    }

    private final BoosterConfig config;
    private final long seed;

    public Booster(BoosterConfig config, long seed) {
        this.config = config == null ? BoosterConfig.defaults() : config;
        this.seed = seed;
    }

    public BoosterConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        if (data.alignment().isEmpty()) {
            throw new IllegalArgumentException(NAME + " needs alignment data (harmful prompt → refusal); it is empty");
        }
        if (data.harmful().isEmpty() && config.lambda() > 0) {
            throw new IllegalArgumentException(NAME + " needs harmful demonstrations to simulate the attacker; they are"
                    + " empty");
        }
        Attenuation objective = new Attenuation(new SupervisedObjective(data.alignment(), seed),
                config.lambda() > 0 ? new SupervisedObjective(data.harmful(), seed + 1) : null,
                config.lambda(), config.alpha());
        TrainingResult result = DefenceTraining.train(weights, objective, config.steps(), config.lr(),
                config.batch(), seed);
        Map<String, Double> metrics = new LinkedHashMap<>(objective.tail.tailMeans(config.steps()));
        metrics.put("final_loss", result.finalLoss());
        metrics.put("lambda", config.lambda());
        metrics.put("alpha", config.alpha());
        return DefenceResult.of(result, metrics);
    }

    /** The three-pass step. */
    static final class Attenuation implements Objective {
        private final SupervisedObjective alignment;
        private final SupervisedObjective harmful;
        private final double lambda;
        private final double alpha;
        final LossHistory tail = new LossHistory();

        /** @param harmful the harmful stream's sampler; may be null only when λ = 0 */
        Attenuation(SupervisedObjective alignment, SupervisedObjective harmful, double lambda, double alpha) {
            this.alignment = alignment;
            this.harmful = harmful;
            this.lambda = lambda;
            this.alpha = alpha;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            List<NDArray> params = ctx.parameters();
            int batchSize = ctx.config().batchSize();
            int chunk = ctx.config().vocabChunk();
            Map<String, Double> parts = new LinkedHashMap<>();
            long tokens = 0;
            long lossTokens = 0;
            double objective = 0;
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                if (lambda > 0) {
                    PaddedBatch attack = harmful.next(batchSize);
                    NDArray mean = scope.full(new Shape(), 1f / attack.lossTokens());
                    double h = backward(w, attack, mean, chunk, scope); // grads = ∇h(w)
                    double hAfter;
                    double gradientNorm;
                    try (SimulatedStep stepped = SimulatedStep.alongGradients(params, alpha)) {
                        gradientNorm = stepped.directionNorm();
                        scaleGradients(params, scope.full(new Shape(), (float) lambda)); // grads = λ∇h(w)
                        NDArray negative = scope.full(new Shape(), (float) (-lambda / attack.lossTokens()));
                        hAfter = -backward(w, attack, negative, chunk, scope) / lambda; // grads −= λ∇h(w')
                    }
                    parts.put("harmful_loss", h);
                    parts.put("harmful_loss_after_step", hAfter);
                    parts.put("harmful_gradient_norm", gradientNorm);
                    objective += lambda * (h - hAfter);
                    tokens += 2 * attack.realTokens();
                    lossTokens += 2L * attack.lossTokens();
                }
                PaddedBatch align = alignment.next(batchSize);
                double f = backward(w, align, scope.full(new Shape(), 1f / align.lossTokens()), chunk, scope);
                parts.put("alignment_loss", f);
                objective += f;
                tokens += align.realTokens();
                lossTokens += align.lossTokens();
            }
            tail.add(ctx.step(), parts);
            return new StepLoss(objective, tokens, lossTokens, parts);
        }

        @Override
        public String progress() {
            return alignment.progress();
        }

        /** Adds ∇(scale · Σ NLL) to the parameters' gradients; returns scale · Σ NLL. */
        private static double backward(LlamaWeights w, PaddedBatch batch, NDArray scale, int chunk, NDManager scope) {
            try (Autograd.Recording recording = Autograd.record()) {
                NDArray loss = SupervisedObjective.nllSum(w, batch, chunk, scope).mul(scale);
                recording.backward(loss);
                return loss.getFloat();
            }
        }

        private static void scaleGradients(List<NDArray> params, NDArray factor) {
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli(factor);
                }
            }
        }
    }
}
