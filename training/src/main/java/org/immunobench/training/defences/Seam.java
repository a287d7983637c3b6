package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SEAM, the self-destructive language model (Wang, Zhu, Wang, "Self-Destructive Language Model", arXiv 2505.12186,
 * ICLR 2026). Binds general capability to the safety state: the gradients of the harmful fine-tuning loss and of a
 * benign loss are trained to point in opposite directions, so that descending the harmful loss ascends the benign one
 * and a harmful fine-tune wrecks the model it is trying to use.
 *
 * <p>Objective per update, with g_a = ∇CE(harmful demonstrations) (the attacker's gradient), g_b = ∇CE(benign),
 * ĝ = g / ‖g‖ (one L2 norm over all weights), c = cos(g_a, g_b):
 * <pre>
 *   L    = L_ul + α · L_up + β · L_sd
 *   L_ul = −log(1 + (1/(L+1)) Σ_{l=0..L} CE_l(harmful))       (bounded ascent by the logit lens, as RepNoise)
 *   L_up = CE(harmful prompt → refusal)
 *   L_sd = cos(g_a, g_b)
 *   ∇L_sd = H_a (ĝ_b − c ĝ_a) / ‖g_a‖ + H_b (ĝ_a − c ĝ_b) / ‖g_b‖
 *         ≈ [ (g_a(θ + ε(ĝ_b − c ĝ_a)) − g_a(θ)) / ‖g_a‖ + (g_b(θ + ε(ĝ_a − c ĝ_b)) − g_b(θ)) / ‖g_b‖ ] / ε
 * </pre>
 * The Hessian-vector products H v are forward finite differences of the gradient along v, as the paper does (error
 * O(ε)): six gradient passes per update — L_ul, L_up, g_a, g_b, and g_a, g_b again at the two shifted points. The
 * shifted weights are set in place between autograd recordings and restored bit for bit ({@link SimulatedStep}); the
 * parameters' gradients end as ∇L_ul + α∇L_up + β∇L_sd. The harmful batch of g_a is the batch of L_ul (the paper's
 * code uses the same harmful batch for both).
 *
 * <p>Defaults, paper ({@code config/train.yaml}) → ours:
 * <ul>
 *   <li>{@code alpha} 1, {@code beta} 0.01, {@code epsilon} 1e-3: the paper's. α and β weigh dimensionless terms (CE
 *     in nats, a cosine); ε is a length in weight space along a unit direction (ĝ_b − c ĝ_a has norm √(1 − c²) ≤ 1),
 *     small against the toy model's weight norm as against a 7B model's, and large enough that the gradient change
 *     (about ε · ‖H v‖) stands well above float32 rounding of the gradients.</li>
 *   <li>{@code steps} 100, {@code batch} 8 of each stream, {@code lr} 1e-4 (paper: one epoch over 8000 samples,
 *     batch 4, lr 2e-5, cosine with 10% warm-up, full fine-tuning of Llama-2-7B). The toy world's other full-FT
 *     defences use 1e-4 for 100 updates of 8 (RepNoise, whose L_ul this shares). Optimiser: {@link DefenceTraining}.</li>
 * </ul>
 *
 * <p>Manifest figures, tail means over the last tenth of the run: {@code unlearn_loss} (L_ul), {@code refusal_loss}
 * (L_up), {@code harmful_loss} and {@code benign_loss} (the CEs behind g_a and g_b), {@code gradient_cosine} (c,
 * wants −1), and the response NLLs before and after.
 */
public final class Seam implements Defence {
    public static final String NAME = "seam";

    /**
     * The {@code config} of a {@code seam} defence; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 1e-4)
     * @param batch examples per update from each stream: harmful, refusals and benign (default 8)
     * @param alpha weight α of the refusal loss L_up (default 1)
     * @param beta weight β of the gradient cosine L_sd (default 0.01)
     * @param epsilon finite-difference step ε of the Hessian-vector products (default 1e-3)
     */
    public record SeamConfig(Integer steps, Double lr, Integer batch, Double alpha, Double beta, Double epsilon) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 1e-4;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_ALPHA = 1.0;
        public static final double DEFAULT_BETA = 0.01;
        public static final double DEFAULT_EPSILON = 1e-3;

        public SeamConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            alpha = DefenceTraining.nonNegative("alpha", alpha, DEFAULT_ALPHA, false);
            beta = DefenceTraining.nonNegative("beta", beta, DEFAULT_BETA, false);
            epsilon = DefenceTraining.nonNegative("epsilon", epsilon, DEFAULT_EPSILON, true);
        }

        public static SeamConfig defaults() {
            return new SeamConfig(null, null, null, null, null, null);
        }
    }

    private final SeamConfig config;
    private final long seed;

    public Seam(SeamConfig config, long seed) {
        this.config = config == null ? SeamConfig.defaults() : config;
        this.seed = seed;
    }

    public SeamConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        ExampleStream.require(NAME, "harmful", data.harmful());
        ExampleStream.require(NAME, "benign", data.benign());
        ExampleStream.require(NAME, "alignment", data.alignment());
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        DefenceProbes probes = DefenceProbes.before(weights, data, config.batch());
        SelfDestructObjective objective = new SelfDestructObjective(data.harmful(), data.alignment(), data.benign(),
                config, seed);
        TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(), seed);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("final_loss", r.finalLoss());
        metrics.putAll(objective.tail.tailMeans(config.steps()));
        metrics.putAll(probes.after(weights));
        return DefenceResult.of(r, metrics);
    }

    /** Copies of the parameters' current gradients into {@code scope}, then zeroes the gradients. */
    static List<NDArray> takeGradients(List<NDArray> params, NDManager scope) {
        List<NDArray> out = new ArrayList<>(params.size());
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                NDArray copy = g.duplicate();
                copy.attach(scope);
                out.add(copy);
                g.muli(0f);
            }
        }
        return out;
    }

    /**
     * ∇loss at θ + ε·v, copied into {@code scope}; the weights are shifted in place and restored bit for bit, the
     * parameters' gradients are zero on entry and on return. Grad mode must be off (between recordings).
     */
    static List<NDArray> gradientAt(LlamaWeights w, List<NDArray> params, InnerLoop.Loss loss, List<NDArray> v,
            double epsilon, NDManager scope) {
        double norm = LayerPerturbation.globalNorm(v);
        List<NDArray> negated = new ArrayList<>(v.size());
        for (NDArray d : v) {
            negated.add(d.neg()); // SimulatedStep moves along −d / ‖d‖
        }
        try (SimulatedStep shifted = SimulatedStep.along(params, negated, epsilon * norm)) {
            InnerLoop.backward(w, loss, 1.0);
            return takeGradients(params, scope);
        } finally {
            negated.forEach(NDArray::close);
        }
    }

    /** (∇loss(θ + ε v) − g) / ε with g = ∇loss(θ): the forward finite-difference Hessian-vector product H v. */
    static List<NDArray> hessianVectorProduct(LlamaWeights w, List<NDArray> params, InnerLoop.Loss loss,
            List<NDArray> gradient, List<NDArray> v, double epsilon, NDManager scope) {
        List<NDArray> shifted = gradientAt(w, params, loss, v, epsilon, scope);
        NDArray inverse = scope.full(new Shape(), (float) (1 / epsilon));
        List<NDArray> out = new ArrayList<>(shifted.size());
        for (int i = 0; i < shifted.size(); i++) {
            out.add(shifted.get(i).sub(gradient.get(i)).mul(inverse));
        }
        return out;
    }

    /** Σ_i ⟨a_i, b_i⟩ over the parameter list. */
    static double dot(List<NDArray> a, List<NDArray> b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += a.get(i).mul(b.get(i)).sum().getFloat();
        }
        return sum;
    }

    /** x·a_i + y·b_i per parameter, in {@code scope}. */
    static List<NDArray> combine(double x, List<NDArray> a, double y, List<NDArray> b, NDManager scope) {
        NDArray fx = scope.full(new Shape(), (float) x);
        NDArray fy = scope.full(new Shape(), (float) y);
        List<NDArray> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(a.get(i).mul(fx).add(b.get(i).mul(fy)));
        }
        return out;
    }

    /** The six-pass SEAM update. */
    static final class SelfDestructObjective implements Objective {
        private final SupervisedObjective harmful;
        private final SupervisedObjective refusals;
        private final SupervisedObjective benign;
        private final SeamConfig config;
        final LossHistory tail = new LossHistory();

        SelfDestructObjective(List<TrainingExample> harmful, List<TrainingExample> refusals,
                List<TrainingExample> benign, SeamConfig config, long seed) {
            this.harmful = new SupervisedObjective(harmful, seed);
            this.refusals = new SupervisedObjective(refusals, seed + 1);
            this.benign = new SupervisedObjective(benign, seed + 2);
            this.config = config;
        }

        /** −log(1 + mean over stream points of the logit-lens CE), RepNoise's bounded ascent. */
        static InnerLoop.Loss unlearning(PaddedBatch batch, int vocabChunk) {
            return (w, scope) -> {
                List<NDArray> stream = MaskedActivations.stream(w, batch, scope);
                NDArray sum = null;
                List<NDArray> lens = RepNoise.logitLensNll(w, stream, batch, vocabChunk, scope);
                for (NDArray nll : lens) {
                    sum = sum == null ? nll.mean() : sum.add(nll.mean());
                }
                NDArray mean = sum.div(RepresentationLosses.constant(scope, lens.size()));
                return mean.add(RepresentationLosses.constant(scope, 1)).log().neg();
            };
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            List<NDArray> params = ctx.parameters();
            int size = ctx.config().batchSize();
            int chunk = ctx.config().vocabChunk();
            PaddedBatch harm = harmful.next(size);
            PaddedBatch refuse = refusals.next(size);
            PaddedBatch good = benign.next(size);
            InnerLoop.Loss attack = InnerLoop.meanNll(harm, chunk);
            InnerLoop.Loss utility = InnerLoop.meanNll(good, chunk);
            Map<String, Double> parts = new LinkedHashMap<>();
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                // ∇L_ul + α ∇L_up, set aside while the other gradients use the parameters' buffers.
                double unlearn = InnerLoop.backward(w, unlearning(harm, chunk), 1.0);
                double refusal = InnerLoop.backward(w, InnerLoop.meanNll(refuse, chunk), config.alpha());
                List<NDArray> base = takeGradients(params, scope);

                double harmfulLoss = InnerLoop.backward(w, attack, 1.0);
                List<NDArray> ga = takeGradients(params, scope);
                double benignLoss = InnerLoop.backward(w, utility, 1.0);
                List<NDArray> gb = takeGradients(params, scope);
                double na = Math.sqrt(dot(ga, ga));
                double nb = Math.sqrt(dot(gb, gb));
                double cosine = na > 0 && nb > 0 ? dot(ga, gb) / (na * nb) : 0;
                double sd = 0;
                List<NDArray> total = base;
                if (config.beta() > 0 && na > 0 && nb > 0) {
                    // H_a (ĝ_b − c ĝ_a) and H_b (ĝ_a − c ĝ_b), each by a forward difference of its gradient.
                    List<NDArray> va = combine(1 / nb, gb, -cosine / na, ga, scope);
                    List<NDArray> vb = combine(1 / na, ga, -cosine / nb, gb, scope);
                    List<NDArray> hva = hessianVectorProduct(w, params, attack, ga, va, config.epsilon(), scope);
                    List<NDArray> hvb = hessianVectorProduct(w, params, utility, gb, vb, config.epsilon(), scope);
                    List<NDArray> cosGrad = combine(1 / na, hva, 1 / nb, hvb, scope);
                    total = combine(1, base, config.beta(), cosGrad, scope);
                    sd = cosine;
                }
                for (int i = 0; i < params.size(); i++) {
                    try (NDArray g = params.get(i).getGradient()) {
                        g.addi(total.get(i));
                    }
                }
                parts.put("unlearn_loss", unlearn);
                parts.put("refusal_loss", refusal);
                parts.put("harmful_loss", harmfulLoss);
                parts.put("benign_loss", benignLoss);
                parts.put("gradient_cosine", cosine);
                tail.add(ctx.step(), parts);
                double loss = unlearn + config.alpha() * refusal + config.beta() * sd;
                long tokens = 3L * harm.realTokens() + refuse.realTokens() + 2L * good.realTokens();
                long lossTokens = 3L * harm.lossTokens() + refuse.lossTokens() + 2L * good.lossTokens();
                return new StepLoss(loss, tokens, lossTokens, parts);
            }
        }

        @Override
        public String progress() {
            return harmful.progress();
        }
    }
}
