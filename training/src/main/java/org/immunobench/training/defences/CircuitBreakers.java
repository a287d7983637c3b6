package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.LoraConfig;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Circuit breakers by Representation Rerouting (Zou et al., "Improving Alignment and Robustness with Circuit
 * Breakers", arXiv 2406.04313, NeurIPS 2024). LoRA training that sends the hidden states of harmful answers away
 * from where the original model puts them, so a model that starts a harmful answer loses the representations it
 * needs to continue it, while benign inputs keep their representations.
 *
 * <p>Objective at update t = 0 … T−1 of T, with h_l the residual stream after layer l, θ the adapted weights and
 * θ_orig the weights before the defence:
 * <pre>
 *   L    = c_rr(t) · RR + c_ret(t) · RET,      c_rr = α (1 − t/(2T)),   c_ret = α t/(2T)
 *   RR   = mean over target layers l and harmful-response tokens of ReLU(cos(h_l(x_harm; θ), h_l(x_harm; θ_orig)))
 *   RET  = mean over every layer l and retain tokens of ‖h_l(x_retain; θ) − h_l(x_retain; θ_orig)‖₂
 * </pre>
 * RR is 1 while nothing has moved and 0 once each harmful representation is orthogonal to, or points away from, its
 * original; the schedule starts on rerouting alone and ends weighting both equally. Harmful-response tokens are the
 * positions holding a token of the harmful demonstration's answer (prompt positions are left alone). The retain
 * batch is a benign batch plus, with {@code retain_refusals}, a batch of refusals to harmful prompts (the paper's
 * retain set also holds refusals); its tokens are every real position, as the paper retains whole sequences. RET
 * averages over the layers' outputs 1 … L, not the embeddings, which LoRA on the projections cannot move.
 *
 * <p>θ_orig: a plain copy of the parent made before the adapters are attached, run with grad mode off. LoRA leaves
 * the base weights frozen, so the copy is exactly the adapter-free model for the whole run, and the objective never
 * has to edit trainable arrays to switch adapters off. It costs one more copy of the weights: nothing at toy scale;
 * for billion-parameter models, zeroing B around the reference forward would avoid it.
 *
 * <p>LoRA on every projection (q, k, v, o, gate, up, down) with α_LoRA = r (scaling 1, as the paper's r 16, α 16),
 * trained on layers 0 … max(target_layers) only, as the paper adapts layers 0–20 for target layers 10 and 20: the
 * gradients of higher layers' adapters are zeroed, so their B stays 0. The adapters are merged at the end
 * ({@link LlamaWeights#mergeLora}): the checkpoint is plain.
 *
 * <p>Leaving the start. With the usual B = 0 the adapted model is the original, where cos = 1 is a maximum: the
 * rerouting gradient is zero there (and so is the retain one). A run started there can only leave on numerical
 * noise (bf16 GPU kernels supply plenty); in float32 on a CPU it is ~1e-7 or exactly 0, and an exactly zero
 * gradient at a positive loss makes the trainer stop the run as diverged (seen with target layer 3 of the toy
 * model). So the trained adapters' B starts at N(0, σ²), σ = {@value #B_INIT_STD}, seeded (‖ΔW‖_F about 0.6% of a
 * toy matrix's norm), and the cosine is computed in a form that stays accurate next to 1
 * ({@link RepresentationLosses#rowCosines}).
 *
 * <p>Defaults, paper vs ours:
 * <ul>
 *   <li>{@code alpha} 10 (paper {@code lorra_alpha} 10). AdamW is nearly indifferent to a common scale of the loss;
 *     α matters through the schedule's balance, which is the paper's.</li>
 *   <li>{@code target_layers}: the paper reroutes layers 10 and 20 of 32 (a third and two thirds deep). Unset means
 *     the layers ⌊L/3⌋ and ⌊2L/3⌋ (0-based, their outputs): 1 and 2 for the toy world's 4-layer model, its middle
 *     layers.</li>
 *   <li>{@code lora_rank} 8 (paper 16 on 4096-wide layers): the toy model is 128 wide, and 16 directions would be an
 *     eighth of every matrix's rank rather than a low-rank edit.</li>
 *   <li>{@code steps} 100, {@code batch} 8 (paper 150 of 16): the toy's procedural harmful and benign sets are
 *     covered several times by 800 examples of each (about 20 s on one busy CPU thread).</li>
 *   <li>{@code lr} 4e-2 (paper 1e-4). Measured on the toy world's aligned model (defaults otherwise, 100 steps,
 *     seeds 0–3): the final rerouting loss is 0.03–0.08 at 4e-2 (harmful cosines −0.16 to −0.03, benign cosines
 *     ≥ 0.996, benign NLL 0.281–0.284 against 0.282 before, refusal NLL unchanged); 0.07–0.54 at 3e-2 (two seeds
 *     only half rerouted); at 5e-2 it reroutes too but one seed's benign NLL rose to 0.35; at 1e-2 it never left
 *     1.000 (retaining benign data only). The reason is the shape of the loss: near the start RR falls only
 *     quadratically with the change of the harmful representations, while RET (a norm, not a squared norm) grows
 *     linearly with the change of the retained ones, and the toy's harmful and benign answers share their grammar,
 *     so their representations move together. Rerouting has to get ahead in the first updates, while c_ret ≈ 0,
 *     and that takes large steps. Optimiser: {@link DefenceTraining}.</li>
 * </ul>
 *
 * <p>{@code retain_refusals} true: without it the rerouting also scrambles the refusals that follow a harmful prompt
 * (their representations share the harmful context). Measured on the toy world's aligned model (seed 0): retaining
 * benign data alone (at lr 3e-2), the fluent rate on harmful prompts fell by 1.00 (no refusal left); with the
 * refusals retained, at the defaults: rerouting loss 0.06, harmful cosines −0.14, benign cosines 0.997, and no
 * change in benign accuracy, fluent rate, over-refusal or trainability. Harm under harmful SFT at lr 1e-4 after
 * 8 / 16 / 32 steps was 0.00 / 0.20 / 0.92 against the undefended model's 0.70 / 0.97 / 0.98, and at lr 3e-4 after
 * 4 / 8 / 16 steps 0.05 / 0.41 / 0.98 against 0.95 / 0.97 / 0.97: a delay, not a stop (the paper does not claim
 * resistance to fine-tuning); held-out harm domains fall as fast as undefended.
 *
 * <p>Not reproduced: LoRA dropout (0.05 in the paper; our LoRA has none); the paper's retain set also mixes chat and
 * over-refusal data, ours is the defender's benign stream (and the refusals).
 *
 * <p>Manifest figures: the last update's {@code rerouting_loss} and {@code retain_distance}, and the paper's cosine
 * probes after the merge on a fixed batch of each stream: {@code harmful_cos_layer<l>} per target layer (want ≤ 0)
 * and {@code benign_cos_mean} over the target layers (want ≈ 1), plus the harmful, benign and refusal response NLL
 * before and after.
 */
public final class CircuitBreakers implements Defence {
    public static final String NAME = "circuit_breakers";
    /** σ of the trained adapters' initial B (see the class comment: leaving the start). */
    static final double B_INIT_STD = 1e-3;
    /** Every projection, in a fixed order so that the adapters' seeded initialisation is reproducible. */
    static final List<String> LORA_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    /**
     * The {@code config} of a {@code circuit_breakers} defence; every field optional.
     *
     * @param steps optimiser updates T (default 100)
     * @param lr peak learning rate of the adapters (default 4e-2)
     * @param batch examples per update from each stream: harmful, benign and refusals (default 8)
     * @param alpha α of the schedule (default 10)
     * @param targetLayers 0-based layers whose outputs are rerouted; unset = ⌊L/3⌋ and ⌊2L/3⌋ of the model
     * @param loraRank LoRA rank r (default 8); LoRA α = r
     * @param retainRefusals also retain the alignment stream's refusals (harmful prompt → refusal) (default true)
     */
    public record CircuitBreakersConfig(Integer steps, Double lr, Integer batch, Double alpha,
            List<Integer> targetLayers, Integer loraRank, Boolean retainRefusals) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 4e-2;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_ALPHA = 10.0;
        public static final int DEFAULT_LORA_RANK = 8;

        public CircuitBreakersConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            alpha = DefenceTraining.nonNegative("alpha", alpha, DEFAULT_ALPHA, true);
            loraRank = DefenceTraining.positive("lora_rank", loraRank, DEFAULT_LORA_RANK);
            retainRefusals = retainRefusals == null || retainRefusals;
            if (targetLayers != null) {
                if (targetLayers.isEmpty()) {
                    throw new IllegalArgumentException("target_layers must name at least one layer (or be unset)");
                }
                TreeSet<Integer> sorted = new TreeSet<>();
                for (Integer l : targetLayers) {
                    if (l == null || l < 0) {
                        throw new IllegalArgumentException("target_layers entries must be layer indices >= 0, got "
                                + l);
                    }
                    sorted.add(l);
                }
                targetLayers = List.copyOf(sorted);
            }
        }

        public static CircuitBreakersConfig defaults() {
            return new CircuitBreakersConfig(null, null, null, null, null, null, null);
        }

        /** The layers to reroute in a model of {@code numLayers} layers; an out-of-range layer names the key. */
        public List<Integer> targetLayers(int numLayers) {
            if (targetLayers == null) {
                return List.copyOf(new TreeSet<>(List.of(numLayers / 3, 2 * numLayers / 3)));
            }
            for (int l : targetLayers) {
                if (l >= numLayers) {
                    throw new IllegalArgumentException("target_layers: layer " + l + " does not exist; the model has "
                            + numLayers + " layers (0 … " + (numLayers - 1) + ")");
                }
            }
            return targetLayers;
        }
    }

    /** c_rr and c_ret of the schedule at update t of T. */
    record Coefficients(double rerouting, double retain) {
        static Coefficients at(int t, int totalSteps, double alpha) {
            double progress = t / (2.0 * totalSteps);
            return new Coefficients(alpha * (1 - progress), alpha * progress);
        }
    }

    private final CircuitBreakersConfig config;
    private final long seed;

    public CircuitBreakers(CircuitBreakersConfig config, long seed) {
        this.config = config == null ? CircuitBreakersConfig.defaults() : config;
        this.seed = seed;
    }

    public CircuitBreakersConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        if (data.harmful().isEmpty() || data.benign().isEmpty()) {
            throw new IllegalArgumentException(NAME + " needs " + (data.harmful().isEmpty() ? "harmful" : "benign")
                    + " demonstrations; the defender data has none");
        }
        if (config.retainRefusals() && data.alignment().isEmpty()) {
            throw new IllegalArgumentException(NAME + ": retain_refusals needs alignment data (harmful prompt →"
                    + " refusal) and the defender data has none; set retain_refusals: false to retain on benign data"
                    + " only");
        }
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        List<Integer> layers = config.targetLayers(weights.config().numLayers());
        DefenceProbes probes = DefenceProbes.before(weights, data, config.batch());

        TrainerConfig trainer = DefenceTraining.config(config.steps(), config.lr(), config.batch(), seed)
                .withLora(new LoraConfig(config.loraRank(), config.loraRank(), LORA_TARGETS, seed));
        Map<String, Double> metrics = new LinkedHashMap<>();
        TrainingResult r;
        try (LlamaWeights original = LlamaWeights.fromHost(weights.config(), weights.toHost(), weights.device())) {
            ReroutingObjective objective = new ReroutingObjective(original, data.harmful(), data.benign(),
                    config.retainRefusals() ? data.alignment() : List.of(), layers, config, seed);
            try {
                weights.addLora(trainer.lora());
                startOffTheOriginal(weights, layers.get(layers.size() - 1), B_INIT_STD, seed);
                r = new Trainer().run(weights, objective, trainer, null);
            } finally {
                if (!weights.adapters().isEmpty()) {
                    weights.mergeLora();
                }
            }
            metrics.put("final_loss", r.finalLoss());
            metrics.putAll(objective.lastParts());
            int[] streams = streamIndices(layers);
            double[] harmful = cosineProbe(weights, original, probes.batch("harmful"),
                    MaskedActivations.Positions.HOLDING_RESPONSE, streams);
            double[] benign = cosineProbe(weights, original, probes.batch("benign"),
                    MaskedActivations.Positions.ALL_TOKENS, streams);
            for (int i = 0; i < layers.size(); i++) {
                metrics.put("harmful_cos_layer" + layers.get(i), harmful[i]);
            }
            metrics.put("harmful_cos_mean", mean(harmful));
            metrics.put("benign_cos_mean", mean(benign));
        }
        metrics.putAll(probes.after(weights));
        return DefenceResult.of(r, metrics);
    }

    /**
     * B ← N(0, σ²), seeded, for the adapters of layers 0 … {@code lastTrainedLayer} (the others keep B = 0 and are
     * never trained): the adapted model starts a hair away from the original instead of on it, where the rerouting
     * loss sits at its maximum with an exactly zero gradient.
     */
    static void startOffTheOriginal(LlamaWeights w, int lastTrainedLayer, double std, long seed) {
        Random random = new Random(seed ^ 0x9E3779B97F4A7C15L); // not A's stream: LoRA draws A from Random(seed)
        for (int layer = 0; layer <= lastTrainedLayer; layer++) {
            for (String proj : LORA_TARGETS) {
                NDArray b = w.adapter(LlamaNames.projectionWeight(layer, proj)).b();
                float[] values = new float[(int) b.getShape().size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
                b.set(values);
            }
        }
    }

    /** The paper's cosine probe: mean cos(h_l(x; θ), h_l(x; θ_orig)) over the batch's positions, per stream index. */
    private static double[] cosineProbe(LlamaWeights defended, LlamaWeights original, PaddedBatch batch,
            MaskedActivations.Positions positions, int[] streams) {
        try (NDManager scope = NDManager.newBaseManager(defended.device())) {
            return RepresentationLosses.meanCosines(
                    MaskedActivations.capture(defended, batch, positions, streams, scope),
                    MaskedActivations.capture(original, batch, positions, streams, scope));
        }
    }

    /** Layer l's output is stream index l + 1. */
    static int[] streamIndices(List<Integer> layers) {
        return layers.stream().mapToInt(l -> l + 1).toArray();
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** The rerouting loss of one update; keeps the parts of the last update for the manifest. */
    static final class ReroutingObjective implements Objective {
        private final LlamaWeights original;
        private final SupervisedObjective harmful;
        private final SupervisedObjective benign;
        private final SupervisedObjective refusals;
        private final int[] targetStreams;
        private final int maxTargetLayer;
        private final CircuitBreakersConfig config;
        private List<NDArray> frozenAdapters;
        private Map<String, Double> lastParts = Map.of();

        ReroutingObjective(LlamaWeights original, List<TrainingExample> harmful, List<TrainingExample> benign,
                List<TrainingExample> refusals, List<Integer> layers, CircuitBreakersConfig config, long seed) {
            this.original = original;
            this.harmful = new SupervisedObjective(harmful, seed);
            this.benign = new SupervisedObjective(benign, seed + 1);
            this.refusals = refusals.isEmpty() ? null : new SupervisedObjective(refusals, seed + 3);
            this.targetStreams = streamIndices(layers);
            this.maxTargetLayer = layers.get(layers.size() - 1);
            this.config = config;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int size = ctx.config().batchSize();
            PaddedBatch harm = harmful.next(size);
            List<PaddedBatch> retain = new ArrayList<>(List.of(benign.next(size)));
            if (refusals != null) {
                retain.add(refusals.next(size));
            }
            int[] allLayers = MaskedActivations.layerOutputs(w.config().numLayers());
            Coefficients c = Coefficients.at(ctx.step() - 1, ctx.config().maxSteps(), config.alpha());
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                // The original model's side is computed outside the recording: constants for the gradient.
                List<NDArray> harmOriginal = MaskedActivations.capture(original, harm,
                        MaskedActivations.Positions.HOLDING_RESPONSE, targetStreams, scope);
                List<NDArray> retainOriginal = new ArrayList<>();
                for (PaddedBatch b : retain) {
                    retainOriginal.addAll(MaskedActivations.capture(original, b,
                            MaskedActivations.Positions.ALL_TOKENS, allLayers, scope));
                }
                NDArray loss;
                NDArray rerouting;
                NDArray distance;
                try (Autograd.Recording recording = Autograd.record()) {
                    rerouting = RepresentationLosses.reroutingLoss(MaskedActivations.capture(w, harm,
                            MaskedActivations.Positions.HOLDING_RESPONSE, targetStreams, scope), harmOriginal);
                    List<NDArray> retainCurrent = new ArrayList<>();
                    for (PaddedBatch b : retain) {
                        retainCurrent.addAll(MaskedActivations.capture(w, b, MaskedActivations.Positions.ALL_TOKENS,
                                allLayers, scope));
                    }
                    // One mean over every retained token and layer, benign and refusal alike.
                    distance = RepresentationLosses.retainDistance(retainCurrent, retainOriginal);
                    loss = rerouting.mul(RepresentationLosses.constant(scope, c.rerouting()))
                            .add(distance.mul(RepresentationLosses.constant(scope, c.retain())));
                    recording.backward(loss);
                }
                for (NDArray p : frozenAdapters(w)) {
                    try (NDArray g = p.getGradient()) {
                        g.muli(0f);
                    }
                }
                Map<String, Double> parts = new LinkedHashMap<>();
                parts.put("rerouting_loss", (double) rerouting.getFloat());
                parts.put("retain_distance", (double) distance.getFloat());
                lastParts = parts;
                long tokens = harm.realTokens();
                long lossTokens = harm.lossTokens();
                for (PaddedBatch b : retain) {
                    tokens += b.realTokens();
                    lossTokens += b.lossTokens();
                }
                return new StepLoss(loss.getFloat(), tokens, lossTokens, parts);
            }
        }

        Map<String, Double> lastParts() {
            return lastParts;
        }

        /** A and B of the adapters above the last target layer: trained in the paper's setup only up to it. */
        private List<NDArray> frozenAdapters(LlamaWeights w) {
            if (frozenAdapters == null) {
                List<NDArray> out = new ArrayList<>();
                for (int layer = maxTargetLayer + 1; layer < w.config().numLayers(); layer++) {
                    for (String proj : LORA_TARGETS) {
                        LlamaWeights.LoraAdapter ad = w.adapter(LlamaNames.projectionWeight(layer, proj));
                        if (ad != null) {
                            out.add(ad.a());
                            out.add(ad.b());
                        }
                    }
                }
                frozenAdapters = out;
            }
            return frozenAdapters;
        }
    }
}
