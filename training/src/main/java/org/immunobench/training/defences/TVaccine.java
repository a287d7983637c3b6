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
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * T-Vaccine, targeted layer-wise perturbation-aware alignment (Liu et al., "Targeted Vaccine: Safety Alignment for
 * Large Language Models against Harmful Fine-Tuning via Layer-wise Perturbation", arXiv 2410.09760). Vaccine
 * ({@link Vaccine}) perturbs every layer, including layers that barely matter to harmful fine-tuning, which costs
 * memory and alignment quality. T-Vaccine perturbs, and trains, only a few layers chosen by how much the harmful data
 * moves them:
 * <pre>
 *   p_l = ‖∇_{e_l} h‖ / Σ_j ‖∇_{e_j} h‖                  (h: response NLL on the harmful stream, a probe set)
 *   S_t ~ p, |S_t| = layers_sampled, without replacement
 *   min_{w_S} max_{‖ε_S‖ ≤ ρ} L_align(w; e + ε_S),   ε_l* = ρ · ∇_{e_l}L / ‖∇_{(e_l)_{l ∈ S}}L‖,  l ∈ S
 * </pre>
 * Per step: pass 1 reads ∇_{e_l}L of the alignment batch at the sampled layers' outputs; pass 2 adds ε* there and
 * backpropagates; then every gradient outside the sampled layers' parameters is zeroed (embeddings, final norm and
 * lm_head are never trained, as with the paper's LoRA on the sampled layers). The probe (one forward/backward over
 * {@code probe_examples} harmful examples, its weight gradients discarded) runs every {@code probe_every} steps; the
 * layers are resampled every {@code resample_every} steps.
 *
 * <p>Defaults, paper (script/alignment/T-Vaccine.sh) → ours:
 * <ul>
 *   <li>{@code layers_sampled} S: 8 of Llama-2-7B's 32 layers → 1 of the toy model's 4, the same quarter.</li>
 *   <li>{@code rho} 3 → 6: the paper's T-Vaccine uses 3/2 of Vaccine's ρ (3 against 2), spending a larger budget on
 *     fewer layers; we apply the same ratio to our Vaccine value (4, calibrated on the toy world, see
 *     {@link Vaccine}).</li>
 *   <li>{@code resample_every} J 20 → 10 and {@code probe_every} K 200 → 100 (K = 10 J as in the paper): about ten
 *     resamplings in our 100-step run. J stays well above one because our shared AdamW cannot freeze a parameter: a
 *     layer that leaves the sampled set keeps moving on its Adam momentum for a few steps (β₁ = 0.9), whereas
 *     PyTorch's optimiser skips parameters whose gradient is None. Weight decay is off for the same reason: decoupled
 *     decay would shrink the unsampled layers at every step. Within one sampling period, starting from fresh
 *     momentum, unsampled layers stay bit-identical.</li>
 *   <li>{@code probe_examples} 200 harmful prompts (with their harmful answers) → 64: the probe only ranks 4 layers.</li>
 *   <li>{@code steps} 100, {@code batch} 8, {@code lr} 2e-4 (full fine-tuning of the sampled layers) ← 20 epochs,
 *     batch 10, lr 1e-3, cosine, warm-up 0.1, LoRA; as for Vaccine, small budgets for a small aligned parent (8.4 s of
 *     CPU on one thread on the toy world).</li>
 * </ul>
 * Metrics: {@code final_loss} (perturbed), tail means of {@code clean_loss} and {@code perturbed_loss},
 * {@code sampled_share_layer<l>} (fraction of steps layer l was trained), {@code harmful_grad_share_layer<l>} (p_l of
 * the last probe), and the settings.
 */
public final class TVaccine implements Defence {
    public static final String NAME = "t_vaccine";

    /**
     * The {@code config} of {@code t_vaccine}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 2e-4)
     * @param batch alignment examples per update, and harmful examples per probe micro-batch (default 8)
     * @param rho global L2 norm ρ of the perturbation over the sampled layers (default 6)
     * @param layersSampled S, layers perturbed and trained per step, at most the model's layer count (default 1)
     * @param resampleEvery J, steps between two draws of the sampled layers (default 10)
     * @param probeEvery K, steps between two measurements of p (default 100)
     * @param probeExamples harmful examples behind one measurement of p (default 64)
     */
    public record TVaccineConfig(Integer steps, Double lr, Integer batch, Double rho, Integer layersSampled,
            Integer resampleEvery, Integer probeEvery, Integer probeExamples) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 2e-4;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_RHO = 6;
        public static final int DEFAULT_LAYERS_SAMPLED = 1;
        public static final int DEFAULT_RESAMPLE_EVERY = 10;
        public static final int DEFAULT_PROBE_EVERY = 100;
        public static final int DEFAULT_PROBE_EXAMPLES = 64;

        public TVaccineConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            rho = DefenceTraining.nonNegative("rho", rho, DEFAULT_RHO, false);
            layersSampled = DefenceTraining.positive("layers_sampled", layersSampled, DEFAULT_LAYERS_SAMPLED);
            resampleEvery = DefenceTraining.positive("resample_every", resampleEvery, DEFAULT_RESAMPLE_EVERY);
            probeEvery = DefenceTraining.positive("probe_every", probeEvery, DEFAULT_PROBE_EVERY);
            probeExamples = DefenceTraining.positive("probe_examples", probeExamples, DEFAULT_PROBE_EXAMPLES);
        }

        public static TVaccineConfig defaults() {
            return new TVaccineConfig(null, null, null, null, null, null, null, null);
        }
    }

    private final TVaccineConfig config;
    private final long seed;

    public TVaccine(TVaccineConfig config, long seed) {
        this.config = config == null ? TVaccineConfig.defaults() : config;
        this.seed = seed;
    }

    public TVaccineConfig config() {
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
        if (data.harmful().isEmpty()) {
            throw new IllegalArgumentException(NAME + " needs harmful demonstrations to rank the layers; they are empty");
        }
        int layers = weights.config().numLayers();
        if (config.layersSampled() > layers) {
            throw new IllegalArgumentException("layers_sampled must be <= the model's " + layers + " layers, got "
                    + config.layersSampled());
        }
        LayerwiseAlignment objective = new LayerwiseAlignment(new SupervisedObjective(data.alignment(), seed),
                new SupervisedObjective(data.harmful(), seed + 1), config, new Random(seed));
        TrainingResult result = new Trainer().run(weights, objective,
                DefenceTraining.config(config.steps(), config.lr(), config.batch(), seed).withWeightDecay(0), null);
        Map<String, Double> metrics = new LinkedHashMap<>(objective.tail.tailMeans(config.steps()));
        metrics.put("final_loss", result.finalLoss());
        for (int l = 0; l < layers; l++) {
            metrics.put("sampled_share_layer" + l, objective.sampledSteps[l] / (double) Math.max(1, result.steps()));
            metrics.put("harmful_grad_share_layer" + l, objective.probabilities[l]);
        }
        metrics.put("rho", config.rho());
        metrics.put("layers_sampled", (double) config.layersSampled());
        return DefenceResult.of(result, metrics);
    }

    /**
     * S distinct layers drawn one after another, each with probability proportional to the weights of the layers
     * not drawn yet (numpy's {@code choice(replace=False, p=…)}); uniform when every remaining weight is zero.
     * Returned in ascending order.
     */
    static List<Integer> sampleLayers(double[] weights, int count, Random random) {
        List<Integer> remaining = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            remaining.add(l);
        }
        List<Integer> chosen = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            double total = 0;
            for (int l : remaining) {
                total += weights[l];
            }
            int pick = remaining.size() - 1;
            if (total > 0) {
                double u = random.nextDouble() * total;
                for (int i = 0; i < remaining.size(); i++) {
                    u -= weights[remaining.get(i)];
                    if (u < 0) {
                        pick = i;
                        break;
                    }
                }
            } else {
                pick = random.nextInt(remaining.size());
            }
            chosen.add(remaining.remove(pick));
        }
        chosen.sort(null);
        return chosen;
    }

    /** The layer a parameter belongs to (from its HF name, {@code model.layers.<l>.}), or −1 (embeddings, head). */
    static int layerOf(String weightName) {
        String prefix = "model.layers.";
        if (!weightName.startsWith(prefix)) {
            return -1;
        }
        int end = weightName.indexOf('.', prefix.length());
        return Integer.parseInt(weightName.substring(prefix.length(), end));
    }

    /** The probe, the sampling and the two-pass step on the sampled layers. */
    static final class LayerwiseAlignment implements Objective {
        private final SupervisedObjective alignment;
        private final SupervisedObjective harmful;
        private final TVaccineConfig config;
        private final Random random;
        final LossHistory tail = new LossHistory();
        double[] probabilities;
        int[] sampledSteps;
        List<Integer> sampled = List.of();

        LayerwiseAlignment(SupervisedObjective alignment, SupervisedObjective harmful, TVaccineConfig config,
                Random random) {
            this.alignment = alignment;
            this.harmful = harmful;
            this.config = config;
            this.random = random;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int chunk = ctx.config().vocabChunk();
            if (probabilities == null) {
                sampledSteps = new int[w.config().numLayers()];
            }
            if ((ctx.step() - 1) % config.probeEvery() == 0) {
                probabilities = harmfulGradientShares(w, ctx.parameters(), chunk);
            }
            if ((ctx.step() - 1) % config.resampleEvery() == 0) {
                sampled = sampleLayers(probabilities, config.layersSampled(), random);
            }
            sampled.forEach(l -> sampledSteps[l]++);
            PaddedBatch batch = alignment.next(ctx.config().batchSize());
            Map<String, Double> parts = new LinkedHashMap<>();
            double perturbed;
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                NDArray scale = scope.full(new Shape(), 1f / batch.lossTokens());
                LayerPerturbation.Probe probe = LayerPerturbation.probe(w, batch, sampled, scale, chunk, scope,
                        ctx.parameters());
                parts.put("clean_loss", probe.loss());
                Map<Integer, NDArray> epsilon = LayerPerturbation.scaledToNorm(probe.gradients(), config.rho(), scope);
                perturbed = LayerPerturbation.perturbedBackward(w, batch, epsilon, scale, chunk, scope);
            }
            LayerPerturbation.zeroGradients(frozen(w, ctx.parameters(), sampled));
            parts.put("perturbed_loss", perturbed);
            tail.add(ctx.step(), parts);
            return new StepLoss(perturbed, batch.realTokens(), batch.lossTokens(), parts);
        }

        @Override
        public String progress() {
            return "layers " + sampled + " " + alignment.progress();
        }

        /**
         * p_l = ‖∇_{e_l}h‖ / Σ_j ‖∇_{e_j}h‖ over {@code probe_examples} harmful examples, h their mean response NLL
         * (all probe batches together, so ‖∇_{e_l}h‖² sums over batches); uniform when every norm is zero.
         */
        private double[] harmfulGradientShares(LlamaWeights w, List<NDArray> parameters, int chunk) {
            int layers = w.config().numLayers();
            List<PaddedBatch> batches = new ArrayList<>();
            long targets = 0;
            for (int n = 0; n < config.probeExamples(); n += config.batch()) {
                PaddedBatch b = harmful.next(Math.min(config.batch(), config.probeExamples() - n));
                batches.add(b);
                targets += b.lossTokens();
            }
            double[] squared = new double[layers];
            for (PaddedBatch b : batches) {
                try (NDManager scope = NDManager.newBaseManager(w.device())) {
                    LayerPerturbation.Probe probe = LayerPerturbation.probe(w, b, LayerPerturbation.allLayers(w),
                            scope.full(new Shape(), 1f / targets), chunk, scope, parameters);
                    probe.gradients().forEach((l, g) -> squared[l] += LayerPerturbation.squaredNorm(g));
                }
            }
            double[] shares = new double[layers];
            double total = 0;
            for (int l = 0; l < layers; l++) {
                shares[l] = Math.sqrt(squared[l]);
                total += shares[l];
            }
            for (int l = 0; l < layers; l++) {
                shares[l] = total > 0 ? shares[l] / total : 1.0 / layers;
            }
            return shares;
        }

        /** The trainable arrays outside the sampled layers (by identity; LoRA adapters by their base weight). */
        private static List<NDArray> frozen(LlamaWeights w, List<NDArray> parameters, List<Integer> sampled) {
            Map<NDArray, String> names = new IdentityHashMap<>();
            w.arrays().forEach((name, a) -> names.put(a, name));
            w.adapters().forEach((name, ad) -> {
                names.put(ad.a(), name);
                names.put(ad.b(), name);
            });
            List<NDArray> out = new ArrayList<>();
            for (NDArray p : parameters) {
                String name = names.get(p);
                if (name == null || !sampled.contains(layerOf(name))) {
                    out.add(p);
                }
            }
            return out;
        }
    }
}
