package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
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
import java.util.TreeSet;

/**
 * CRL, contrastive representation learning with a triplet loss (Simko, Sachan, Schölkopf, Jin, "Improving Large
 * Language Model Safety with Contrastive Representation Learning", arXiv 2506.11938, EMNLP 2025). LoRA training that
 * pulls the representations of harmful answers together, away from where the original model put them, and keeps
 * benign (and refusal) representations where they were and away from the harmful cluster.
 *
 * <p>Objective per update, with h_l(x; θ) the residual stream after layer l of the adapted model, h_l(x; θ₀) the
 * original's, d(a, b) = 1 − cos(a, b), and μ_l = mean of h_l(x_harm; θ) over the batch's harmful response tokens
 * (computed from the adapted model, gradient flowing through it, no running average):
 * <pre>
 *   L_b  = mean over layers l ∈ all, retain tokens of  max(0, d(h_l(x_b; θ), h_l(x_b; θ₀)) − d(h_l(x_b; θ), μ_l) + m_b)
 *   L_h  = mean over layers l ∈ H, harmful tokens of   max(0, d(h_l(x_h; θ), μ_l) − d(h_l(x_h; θ), h_l(x_h; θ₀)) + m_h)
 *   KL   = mean over retain positions predicting a response token of KL(softmax(z₀/τ) ‖ softmax(z/τ))
 *   L    = α · L_b + β · L_h + w · KL
 * </pre>
 * Benign triplets: anchor the adapted benign state, positive the original benign state, negative the harmful mean.
 * Harmful triplets: anchor the adapted harmful state, positive the harmful mean, negative the original harmful state.
 * "Tokens" are the positions holding a response token (prompt and padding masked), as in the authors' code. The
 * retain stream is the benign demonstrations plus, with {@code retain_refusals}, refusals to harmful prompts: the
 * paper's benign class holds harmless prompts with compliant replies and harmful prompts with refusals (refusals are
 * positives, not an SFT target). z are the logits at the positions that predict a response token, τ the KL
 * temperature; z₀ come from a frozen copy of the parent taken before the adapters are attached (grad mode off).
 *
 * <p>Defaults, paper (authors' {@code train.sh}) / TamperBench → ours:
 * <ul>
 *   <li>Distance: the authors use L2 for the benign positive and 1 − cos elsewhere, with margins 2 / 3 (500 / 1500 in
 *     the paper's raw-L2 form); TamperBench found those settings gave gibberish and uses 1 − cos for every distance
 *     with margins {@code margin_benign} 0.3 and {@code margin_harmful} 0.5. Ours: 1 − cos everywhere and
 *     TamperBench's margins, because a cosine is scale-free and carries over to a 128-wide model unchanged, while an
 *     L2 margin is tied to the paper's 4096-wide residual stream.</li>
 *   <li>{@code alpha} 0.5, {@code beta} 0.4, {@code kl_weight} 0.9 (TamperBench, citing the paper's appendix; the
 *     authors' script has 0.5 / 0.6 / 0.7); {@code kl_temperature} 2 (authors).</li>
 *   <li>Layers: harmful triplets at layers 20–30 of 32 (authors), benign at every layer. Unset
 *     {@code harmful_layers} means ⌊5L/8⌋ … L − 1 (0-based layer outputs): 2 and 3 of the toy world's 4 layers.</li>
 *   <li>LoRA on q, k, v, o, gate, up, down of every layer, α = r; {@code lora_rank} 8 (paper 16 on 4096-wide
 *     layers: the toy model is 128 wide, as for circuit breakers). The adapters start at B = 0 (unlike circuit
 *     breakers the objective has a non-zero gradient there, through μ) and are merged at the end.</li>
 *   <li>{@code steps} 100, {@code batch} 8 of each stream (paper 900–1100 steps of 16), {@code lr} 1e-3 (paper 1e-4
 *     constant, TamperBench 1e-5). The toy's procedural harmful and benign sets are covered several times by 800
 *     examples; a 128-wide LoRA at 1e-4 barely leaves its start in 100 updates. Optimiser: {@link DefenceTraining}.</li>
 * </ul>
 *
 * <p>Not reproduced: the adversarial hard-negative mining of the paper's "Adv" model (an embedding-space attack
 * module trained alongside, whose objective the paper leaves unstated); TamperBench leaves it out too. The KL set is
 * the defender's retain stream, not UltraChat.
 *
 * <p>Manifest figures: the last update's {@code benign_triplet}, {@code harmful_triplet} and {@code kl}; after the
 * merge, on a fixed batch of each stream, {@code harmful_cos_original} (mean cosine of harmful representations with
 * the original ones over the harmful layers; wants to fall), {@code benign_cos_original} (over all layers; wants ≈ 1),
 * and the harmful, benign and refusal response NLL before and after.
 */
public final class Crl implements Defence {
    public static final String NAME = "crl";

    /**
     * The {@code config} of a {@code crl} defence; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate of the adapters (default 1e-3)
     * @param batch examples per update from each stream: harmful, benign and refusals (default 8)
     * @param alpha weight α of the benign triplet term (default 0.5)
     * @param beta weight β of the harmful triplet term (default 0.4)
     * @param klWeight weight w of the KL term on the retain stream (default 0.9)
     * @param klTemperature temperature τ of the KL term (default 2)
     * @param marginBenign m_b (default 0.3)
     * @param marginHarmful m_h (default 0.5)
     * @param harmfulLayers 0-based layers whose outputs carry the harmful triplets; unset = ⌊5L/8⌋ … L − 1
     * @param loraRank LoRA rank r (default 8); LoRA α = r
     * @param retainRefusals also put the alignment stream's refusals in the benign class (default true)
     */
    public record CrlConfig(Integer steps, Double lr, Integer batch, Double alpha, Double beta, Double klWeight,
            Double klTemperature, Double marginBenign, Double marginHarmful, List<Integer> harmfulLayers,
            Integer loraRank, Boolean retainRefusals) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 1e-3;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_ALPHA = 0.5;
        public static final double DEFAULT_BETA = 0.4;
        public static final double DEFAULT_KL_WEIGHT = 0.9;
        public static final double DEFAULT_KL_TEMPERATURE = 2.0;
        public static final double DEFAULT_MARGIN_BENIGN = 0.3;
        public static final double DEFAULT_MARGIN_HARMFUL = 0.5;
        public static final int DEFAULT_LORA_RANK = 8;

        public CrlConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            alpha = DefenceTraining.nonNegative("alpha", alpha, DEFAULT_ALPHA, false);
            beta = DefenceTraining.nonNegative("beta", beta, DEFAULT_BETA, false);
            klWeight = DefenceTraining.nonNegative("kl_weight", klWeight, DEFAULT_KL_WEIGHT, false);
            klTemperature = DefenceTraining.nonNegative("kl_temperature", klTemperature, DEFAULT_KL_TEMPERATURE,
                    true);
            marginBenign = DefenceTraining.nonNegative("margin_benign", marginBenign, DEFAULT_MARGIN_BENIGN, false);
            marginHarmful = DefenceTraining.nonNegative("margin_harmful", marginHarmful, DEFAULT_MARGIN_HARMFUL,
                    false);
            loraRank = DefenceTraining.positive("lora_rank", loraRank, DEFAULT_LORA_RANK);
            retainRefusals = retainRefusals == null || retainRefusals;
            if (harmfulLayers != null) {
                if (harmfulLayers.isEmpty()) {
                    throw new IllegalArgumentException("harmful_layers must name at least one layer (or be unset)");
                }
                TreeSet<Integer> sorted = new TreeSet<>();
                for (Integer l : harmfulLayers) {
                    if (l == null || l < 0) {
                        throw new IllegalArgumentException("harmful_layers entries must be layer indices >= 0, got "
                                + l);
                    }
                    sorted.add(l);
                }
                harmfulLayers = List.copyOf(sorted);
            }
        }

        public static CrlConfig defaults() {
            return new CrlConfig(null, null, null, null, null, null, null, null, null, null, null, null);
        }

        /** The harmful-triplet layers of a model of {@code numLayers} layers; an out-of-range layer names the key. */
        public List<Integer> harmfulLayers(int numLayers) {
            if (harmfulLayers == null) {
                List<Integer> out = new ArrayList<>();
                for (int l = Math.min(5 * numLayers / 8, numLayers - 1); l < numLayers; l++) {
                    out.add(l);
                }
                return out;
            }
            for (int l : harmfulLayers) {
                if (l >= numLayers) {
                    throw new IllegalArgumentException("harmful_layers: layer " + l + " does not exist; the model has "
                            + numLayers + " layers (0 … " + (numLayers - 1) + ")");
                }
            }
            return harmfulLayers;
        }
    }

    private final CrlConfig config;
    private final long seed;

    public Crl(CrlConfig config, long seed) {
        this.config = config == null ? CrlConfig.defaults() : config;
        this.seed = seed;
    }

    public CrlConfig config() {
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
        if (config.retainRefusals() && data.alignment().isEmpty()) {
            throw new IllegalArgumentException(NAME + ": retain_refusals needs alignment data (harmful prompt →"
                    + " refusal) and the defender data has none; set retain_refusals: false to keep benign data"
                    + " only");
        }
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        int numLayers = weights.config().numLayers();
        List<Integer> harmfulLayers = config.harmfulLayers(numLayers);
        DefenceProbes probes = DefenceProbes.before(weights, data, config.batch());
        TrainerConfig trainer = DefenceTraining.config(config.steps(), config.lr(), config.batch(), seed)
                .withLora(new LoraConfig(config.loraRank(), config.loraRank(), CircuitBreakers.LORA_TARGETS, seed));
        Map<String, Double> metrics = new LinkedHashMap<>();
        TrainingResult r;
        try (LlamaWeights original = LlamaWeights.fromHost(weights.config(), weights.toHost(), weights.device())) {
            TripletObjective objective = new TripletObjective(original, data.harmful(), data.benign(),
                    config.retainRefusals() ? data.alignment() : List.of(), harmfulLayers, config, seed);
            try {
                r = new Trainer().run(weights, objective, trainer, null);
            } finally {
                if (!weights.adapters().isEmpty()) {
                    weights.mergeLora();
                }
            }
            metrics.put("final_loss", r.finalLoss());
            metrics.putAll(objective.tail.tailMeans(config.steps()));
            metrics.put("harmful_cos_original", meanCosine(weights, original, probes.batch("harmful"),
                    CircuitBreakers.streamIndices(harmfulLayers)));
            metrics.put("benign_cos_original", meanCosine(weights, original, probes.batch("benign"),
                    MaskedActivations.layerOutputs(numLayers)));
        }
        metrics.putAll(probes.after(weights));
        return DefenceResult.of(r, metrics);
    }

    private static double meanCosine(LlamaWeights defended, LlamaWeights original, PaddedBatch batch, int[] streams) {
        try (NDManager scope = NDManager.newBaseManager(defended.device())) {
            double[] perLayer = RepresentationLosses.meanCosines(
                    MaskedActivations.capture(defended, batch, MaskedActivations.Positions.HOLDING_RESPONSE, streams,
                            scope),
                    MaskedActivations.capture(original, batch, MaskedActivations.Positions.HOLDING_RESPONSE, streams,
                            scope));
            double sum = 0;
            for (double c : perLayer) {
                sum += c;
            }
            return sum / perLayer.length;
        }
    }

    /** d(a, b) = 1 − cos(a, b) per row; {@code b} may be one row (1, D), broadcast against every row of {@code a}. */
    static NDArray cosineDistance(NDArray a, NDArray b) {
        return RepresentationLosses.constant(a.getManager(), 1).sub(RepresentationLosses.rowCosines(a, b));
    }

    /**
     * The benign triplet term over layers: mean over layers and rows of max(0, d(a, p) − d(a, μ) + m). {@code anchors}
     * and {@code positives} are (N, D) per layer, {@code means} (1, D) per layer.
     */
    static NDArray benignTriplet(List<NDArray> anchors, List<NDArray> positives, List<NDArray> means, double margin) {
        NDManager scope = anchors.get(0).getManager();
        List<NDArray> rows = new ArrayList<>();
        for (int l = 0; l < anchors.size(); l++) {
            NDArray a = anchors.get(l);
            rows.add(NDArrays.maximum(cosineDistance(a, positives.get(l)).sub(cosineDistance(a, means.get(l)))
                    .add(RepresentationLosses.constant(scope, margin)), RepresentationLosses.constant(scope, 0)));
        }
        return NDArrays.concat(new NDList(rows)).mean();
    }

    /** The harmful triplet term: mean over layers and rows of max(0, d(a, μ) − d(a, n) + m), n the original state. */
    static NDArray harmfulTriplet(List<NDArray> anchors, List<NDArray> negatives, List<NDArray> means, double margin) {
        NDManager scope = anchors.get(0).getManager();
        List<NDArray> rows = new ArrayList<>();
        for (int l = 0; l < anchors.size(); l++) {
            NDArray a = anchors.get(l);
            rows.add(NDArrays.maximum(cosineDistance(a, means.get(l)).sub(cosineDistance(a, negatives.get(l)))
                    .add(RepresentationLosses.constant(scope, margin)), RepresentationLosses.constant(scope, 0)));
        }
        return NDArrays.concat(new NDList(rows)).mean();
    }

    /**
     * Mean over rows of KL(softmax(z₀/τ) ‖ softmax(z/τ)) = Σ_v p₀ (log p₀ − log p): {@code reference} and
     * {@code logits} are (N, V); {@code reference} is a constant.
     */
    static NDArray klDivergence(NDArray reference, NDArray logits, double temperature) {
        NDManager scope = logits.getManager();
        NDArray t = RepresentationLosses.constant(scope, temperature);
        NDArray logP0 = reference.div(t).logSoftmax(-1);
        NDArray logP = logits.div(t).logSoftmax(-1);
        return logP0.exp().mul(logP0.sub(logP)).sum(new int[] {-1}).mean();
    }

    /** (N, V) logits at the positions of {@code batch} that predict a response token, from the captured stream. */
    static NDArray responseLogits(LlamaWeights w, List<NDArray> stream, PaddedBatch batch, NDManager scope) {
        NDArray last = MaskedActivations.select(stream, new int[] {stream.size() - 1},
                MaskedActivations.positions(batch, MaskedActivations.Positions.PREDICTING_RESPONSE), scope).get(0);
        NDArray normed = RepNoise.rmsNorm(last, w.get(LlamaNames.FINAL_NORM),
                RepresentationLosses.constant(scope, w.config().rmsNormEps()));
        return Linear.linear(normed, w.get(LlamaNames.LM_HEAD), null).head();
    }

    /** The triplet loss of one update. */
    static final class TripletObjective implements Objective {
        private final LlamaWeights original;
        private final SupervisedObjective harmful;
        private final SupervisedObjective benign;
        private final SupervisedObjective refusals;
        private final List<Integer> harmfulLayers;
        private final CrlConfig config;
        final LossHistory tail = new LossHistory();

        TripletObjective(LlamaWeights original, List<TrainingExample> harmful, List<TrainingExample> benign,
                List<TrainingExample> refusals, List<Integer> harmfulLayers, CrlConfig config, long seed) {
            this.original = original;
            this.harmful = new SupervisedObjective(harmful, seed);
            this.benign = new SupervisedObjective(benign, seed + 1);
            this.refusals = refusals.isEmpty() ? null : new SupervisedObjective(refusals, seed + 3);
            this.harmfulLayers = harmfulLayers;
            this.config = config;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int size = ctx.config().batchSize();
            int numLayers = w.config().numLayers();
            PaddedBatch harm = harmful.next(size);
            List<PaddedBatch> retain = new ArrayList<>(List.of(benign.next(size)));
            if (refusals != null) {
                retain.add(refusals.next(size));
            }
            int[] allLayers = MaskedActivations.layerOutputs(numLayers);
            int[] harmStreams = CircuitBreakers.streamIndices(harmfulLayers);
            long[] harmPositions = MaskedActivations.positions(harm, MaskedActivations.Positions.HOLDING_RESPONSE);
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                // The original model's side, outside the recording: constants for the gradient.
                List<NDArray> harmOriginal = MaskedActivations.capture(original, harm,
                        MaskedActivations.Positions.HOLDING_RESPONSE, harmStreams, scope);
                List<List<NDArray>> retainOriginal = new ArrayList<>();
                List<NDArray> logitsOriginal = new ArrayList<>();
                for (PaddedBatch b : retain) {
                    List<NDArray> stream = MaskedActivations.stream(original, b, scope);
                    retainOriginal.add(MaskedActivations.select(stream, allLayers,
                            MaskedActivations.positions(b, MaskedActivations.Positions.HOLDING_RESPONSE), scope));
                    logitsOriginal.add(responseLogits(original, stream, b, scope));
                }
                NDArray loss;
                NDArray benignTerm;
                NDArray harmfulTerm;
                NDArray kl;
                try (Autograd.Recording recording = Autograd.record()) {
                    List<NDArray> harmNow = MaskedActivations.select(MaskedActivations.stream(w, harm, scope),
                            allLayers, harmPositions, scope); // every layer: μ_l is needed at all of them
                    List<NDArray> means = new ArrayList<>(numLayers);
                    for (NDArray h : harmNow) {
                        means.add(h.mean(new int[] {0}, true));
                    }
                    List<NDArray> harmAnchors = new ArrayList<>();
                    List<NDArray> harmMeans = new ArrayList<>();
                    for (int l : harmfulLayers) {
                        harmAnchors.add(harmNow.get(l));
                        harmMeans.add(means.get(l));
                    }
                    harmfulTerm = harmfulTriplet(harmAnchors, harmOriginal, harmMeans, config.marginHarmful());

                    List<NDArray> anchors = new ArrayList<>();
                    List<NDArray> positives = new ArrayList<>();
                    List<NDArray> klTerms = new ArrayList<>();
                    for (int i = 0; i < retain.size(); i++) {
                        PaddedBatch b = retain.get(i);
                        List<NDArray> stream = MaskedActivations.stream(w, b, scope);
                        List<NDArray> now = MaskedActivations.select(stream, allLayers,
                                MaskedActivations.positions(b, MaskedActivations.Positions.HOLDING_RESPONSE), scope);
                        anchors.addAll(now);
                        positives.addAll(retainOriginal.get(i));
                        klTerms.add(klDivergence(logitsOriginal.get(i), responseLogits(w, stream, b, scope),
                                config.klTemperature()));
                    }
                    List<NDArray> retainMeans = new ArrayList<>();
                    for (int i = 0; i < retain.size(); i++) {
                        retainMeans.addAll(means);
                    }
                    // One mean over every retained token and layer, benign and refusal alike (rows differ per batch,
                    // so the per-layer terms are concatenated before the mean).
                    benignTerm = benignTriplet(anchors, positives, retainMeans, config.marginBenign());
                    kl = NDArrays.stack(new NDList(klTerms)).mean();
                    loss = benignTerm.mul(RepresentationLosses.constant(scope, config.alpha()))
                            .add(harmfulTerm.mul(RepresentationLosses.constant(scope, config.beta())))
                            .add(kl.mul(RepresentationLosses.constant(scope, config.klWeight())));
                    recording.backward(loss);
                }
                Map<String, Double> parts = new LinkedHashMap<>();
                parts.put("benign_triplet", (double) benignTerm.getFloat());
                parts.put("harmful_triplet", (double) harmfulTerm.getFloat());
                parts.put("kl", (double) kl.getFloat());
                tail.add(ctx.step(), parts);
                long tokens = harm.realTokens();
                long lossTokens = harm.lossTokens();
                for (PaddedBatch b : retain) {
                    tokens += b.realTokens();
                    lossTokens += b.lossTokens();
                }
                return new StepLoss(loss.getFloat(), tokens, lossTokens, parts);
            }
        }
    }
}
