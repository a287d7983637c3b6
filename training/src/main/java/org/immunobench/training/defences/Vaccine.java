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
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Vaccine, perturbation-aware alignment (Huang, Hu, Liu, "Vaccine: Perturbation-aware Alignment for Large Language
 * Models against Harmful Fine-tuning", arXiv 2402.01109, NeurIPS 2024). Harmful fine-tuning works by drifting the
 * hidden embeddings of alignment data; Vaccine aligns so that the alignment loss stays low even when every layer's
 * output e_l is pushed by the worst perturbation of bounded size:
 * <pre>
 *   min_w max_{‖ε‖ ≤ ρ} (1/N) Σ_i L( (f̃_{w_L,ε_L} ∘ … ∘ f̃_{w_1,ε_1} ∘ T)(x_i), y_i ),   f̃_{w_l,ε_l}(e) = f_{w_l}(e) + ε_l
 *   ε_l* = ρ · ∇_{e_l}L / ‖∇_{(e_1 … e_L)}L‖        (first-order inner maximiser, one norm over all layers)
 * </pre>
 * with L the response-token NLL on the alignment stream (harmful prompt → refusal). Per step, on one batch: pass 1
 * computes L and ∇_{e_l}L at every layer output (zero leaves, {@link LayerPerturbation#probe}) and discards its weight
 * gradients; pass 2 adds ε* after every layer and backpropagates the perturbed loss into the weights, which the shared
 * trainer updates ({@link DefenceTraining}). With {@code random_perturbation} (the paper's ablation) pass 1 is skipped
 * and ε is a Gaussian direction scaled to the same global norm ρ.
 *
 * <p>Defaults, paper (official script) → ours:
 * <ul>
 *   <li>{@code rho}: 2 in the README example for Llama-2-7B (5 as Booster's Vaccine baseline) → 4. ρ is an absolute
 *     L2 budget over every layer, position and row of a batch, so it does not carry over between model sizes. We set
 *     it where the worst-case perturbation costs the alignment loss about as much as one step of the toy attack
 *     (harmful SFT, AdamW at 1e-3, batch 8) does. Measured on the toy world's aligned model with a batch of 8
 *     refusals: the loss 0.554 rises to 0.572 / 0.626 / 0.699 at ρ = 1 / 4 / 8 (linear in ρ, so still the first-order
 *     regime the closed form assumes) and to 0.639 after one attack step; a random direction of norm 8 changes it by
 *     less than 0.001. ρ = 4 is 0.5% of the stream's own norm over that batch (≈ 750).</li>
 *   <li>{@code steps} 100, {@code batch} 8, {@code lr} 2e-4 (full fine-tuning, AdamW, cosine, 10% warm-up, weight
 *     decay 0.01: {@link DefenceTraining}) ← 50 epochs over 2000 alignment samples, batch 5, lr 1e-3, on a LoRA
 *     r = 8 adapter. The toy parent is already aligned and small; 100 updates of 8 take 8.6 s of CPU on one thread
 *     on the toy world, and full fine-tuning wants a smaller step than a LoRA adapter.</li>
 *   <li>Where ε acts: the paper's formula perturbs every layer's output; the official code hooks the attention modules'
 *     outputs instead. We follow the formula (hook point POST l, the residual stream after layer l).</li>
 *   <li>{@code random_perturbation}: the official ablation draws ε ~ N(0, ρ) per element, a far larger norm; ours has
 *     exactly norm ρ in a random direction (pads excluded), so the ablation isolates the direction.</li>
 * </ul>
 * Metrics: {@code final_loss} (perturbed), {@code clean_loss_tail} and {@code perturbed_loss_tail} (means over the last
 * tenth of the run; their gap is how much the worst-case drift still costs), {@code rho}, {@code random_perturbation}.
 */
public final class Vaccine implements Defence {
    public static final String NAME = "vaccine";

    /**
     * The {@code config} of {@code vaccine}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 2e-4)
     * @param batch alignment examples per update (default 8)
     * @param rho global L2 norm ρ of the perturbation over all layers (default 4)
     * @param randomPerturbation ε of norm ρ in a random direction instead of the gradient's (default false)
     */
    public record VaccineConfig(Integer steps, Double lr, Integer batch, Double rho, Boolean randomPerturbation) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 2e-4;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_RHO = 4;

        public VaccineConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            rho = DefenceTraining.nonNegative("rho", rho, DEFAULT_RHO, false);
            randomPerturbation = randomPerturbation != null && randomPerturbation;
        }

        public static VaccineConfig defaults() {
            return new VaccineConfig(null, null, null, null, null);
        }
    }

    private final VaccineConfig config;
    private final long seed;

    public Vaccine(VaccineConfig config, long seed) {
        this.config = config == null ? VaccineConfig.defaults() : config;
        this.seed = seed;
    }

    public VaccineConfig config() {
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
        PerturbedAlignment objective = new PerturbedAlignment(new SupervisedObjective(data.alignment(), seed),
                config.rho(), config.randomPerturbation(), new Random(seed));
        TrainingResult result = DefenceTraining.train(weights, objective, config.steps(), config.lr(),
                config.batch(), seed);
        Map<String, Double> metrics = new LinkedHashMap<>(objective.tail.tailMeans(config.steps()));
        metrics.put("final_loss", result.finalLoss());
        metrics.put("rho", config.rho());
        metrics.put("random_perturbation", config.randomPerturbation() ? 1.0 : 0.0);
        return DefenceResult.of(result, metrics);
    }

    /**
     * ε* for {@code batch}: ρ · ∇_{e_l}L / ‖∇_{(e_1 … e_L)}L‖ at every layer output, with L = scale · Σ NLL; the
     * parameters' gradients are zero again on return. Also gives L.
     */
    static LayerPerturbation.Probe worstCase(LlamaWeights w, PaddedBatch batch, double rho, NDArray scale,
            int vocabChunk, NDManager scope, List<NDArray> parameters) {
        LayerPerturbation.Probe probe = LayerPerturbation.probe(w, batch, LayerPerturbation.allLayers(w), scale,
                vocabChunk, scope, parameters);
        return new LayerPerturbation.Probe(probe.loss(),
                LayerPerturbation.scaledToNorm(probe.gradients(), rho, scope));
    }

    /** ε of global norm ρ in a Gaussian direction at every layer output, zero at pads. */
    static Map<Integer, NDArray> randomDirection(LlamaWeights w, PaddedBatch batch, double rho, Random random,
            NDManager scope) {
        return LayerPerturbation.scaledToNorm(LayerPerturbation.randomDirections(batch, LayerPerturbation.allLayers(w),
                w.config().hiddenSize(), random, scope), rho, scope);
    }

    /** The two-pass step; also keeps the mean losses of the last tenth of the run for the metrics. */
    static final class PerturbedAlignment implements Objective {
        private final SupervisedObjective alignment;
        private final double rho;
        private final boolean randomPerturbation;
        private final Random random;
        final LossHistory tail = new LossHistory();

        PerturbedAlignment(SupervisedObjective alignment, double rho, boolean randomPerturbation, Random random) {
            this.alignment = alignment;
            this.rho = rho;
            this.randomPerturbation = randomPerturbation;
            this.random = random;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int chunk = ctx.config().vocabChunk();
            PaddedBatch batch = alignment.next(ctx.config().batchSize());
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                NDArray scale = scope.full(new Shape(), 1f / batch.lossTokens());
                Map<String, Double> parts = new LinkedHashMap<>();
                Map<Integer, NDArray> epsilon;
                if (randomPerturbation) {
                    epsilon = randomDirection(w, batch, rho, random, scope);
                } else {
                    LayerPerturbation.Probe worst = worstCase(w, batch, rho, scale, chunk, scope, ctx.parameters());
                    epsilon = worst.gradients();
                    parts.put("clean_loss", worst.loss());
                }
                double perturbed = LayerPerturbation.perturbedBackward(w, batch, epsilon, scale, chunk, scope);
                parts.put("perturbed_loss", perturbed);
                tail.add(ctx.step(), parts);
                return new StepLoss(perturbed, batch.realTokens(), batch.lossTokens(), parts);
            }
        }

        @Override
        public String progress() {
            return alignment.progress();
        }
    }
}
