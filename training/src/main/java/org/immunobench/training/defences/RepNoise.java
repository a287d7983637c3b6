package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import java.util.Map;
import java.util.Random;

/**
 * RepNoise, representation noising (Rosati et al., "Representation Noising: A Defence Mechanism Against Harmful
 * Finetuning", arXiv 2405.14577, NeurIPS 2024). Full fine-tuning that removes the information about harmful answers
 * from the hidden states at every depth, so an attacker has to relearn it instead of re-activating it.
 *
 * <p>Objective per update, on a harmful batch (prompt → compliant answer) and a retain batch (a benign batch plus,
 * with {@code retain_refusals}, a batch of refusals to harmful prompts):
 * <pre>
 *   L = CE(retain) + β · (1/L) Σ_{l=1..L} MMD(h_l(x_harm)|_m, N(0, I)) − α · log(1 + (1/(L+1)) Σ_{l=0..L} CE_l(harm))
 *   CE_l(harm) = mean over m of −log softmax(W_U · norm(h_l))[y]          (the logit lens at stream point l)
 * </pre>
 * h_0 is the embedding output, h_l the residual stream after layer l, norm the model's final RMSNorm and W_U its LM
 * head, so CE_L is the model's ordinary next-token loss and the others read earlier layers through the same head.
 * The log bounds the ascent: its gradient is α / (1 + CE), which fades as the harmful answers become unlikely.
 * CE(retain) is the mean over every response token of the retain batch (response-only, as the trainer's loss).
 *
 * <p>The mask m. The paper puts the harmful terms on the positions where a harmful sequence differs from its paired
 * refusal (same prompt, refusing answer). Those two share the prompt and differ from the first answer token on, so
 * the mask is the harmful demonstration's response: for the MMD, the positions that hold a response token; for the
 * CEs, the positions that predict one (the last prompt token onwards, the usual response-only loss). No refusal
 * pairs are needed for that, so the defender's harmful stream alone serves.
 *
 * <p>MMD: a mixture of five Gaussian kernels with bandwidths s·2^i, s = mean pairwise squared distance / 4 over the
 * pooled sample, held constant for the gradient (the paper's code); see {@link RepresentationLosses#mmd}. The noise
 * is standard normal of the same shape, drawn from a generator seeded by the run's seed.
 *
 * <p>Defaults, paper vs ours:
 * <ul>
 *   <li>{@code alpha} 1 and {@code beta} 0.001: the paper code's values, kept. Both harmful terms are scale-free (a
 *     kernel MMD between 0 and 10, the log of a CE in nats), so nothing about the toy model's size calls for other
 *     weights. At β 0.001 the noise term is a small share of the loss (the MMD falls from about 2.5 to 1.2 on the toy
 *     world), as in the paper's setting.</li>
 *   <li>{@code steps} 100, {@code batch} 8, {@code lr} 1e-4 (paper reproductions: lr 8e-5, batch 4, 10000 steps,
 *     cosine with 10% warm-up; demo: lr 1e-4, one epoch of 1000 samples). The toy world's harmful demonstrations are
 *     a procedural grammar that a few hundred examples cover, and the toy attacks break the aligned model within
 *     about 8 steps at lr 1e-4, so 100 updates of 8 at the paper's learning rate already see every harmful
 *     pattern several times (about 20 s on one busy CPU thread). Optimiser: {@link DefenceTraining} (AdamW, cosine,
 *     10% warm-up, clipping 1, weight decay 0.01).</li>
 *   <li>{@code retain_refusals} true: the paper's retain ("harmless") stream is the refusals paired with its harmful
 *     demonstrations; ours is the benign stream plus the alignment stream's refusals. Measured on the toy world's
 *     aligned model (defaults, seed 0): retaining benign data alone, the model stops answering harmful prompts
 *     fluently (fluent rate −0.80, benign accuracy −0.065); with the refusals it keeps refusing fluently (fluent
 *     rate ±0, benign accuracy −0.04, benign-task trainability −0.05). Harm under harmful SFT at lr 1e-4 after
 *     8 / 16 / 32 steps was then 0.00 / 0.00 / 0.11 against the undefended model's 0.70 / 0.97 / 0.98, and at
 *     lr 3e-4 after 8 / 16 / 32 steps 0.00 / 0.41 / 1.00 against 0.97 / 0.97 / 1.00; held-out harm domains fall as
 *     fast as undefended (the paper reports weak cross-domain generalisation too).</li>
 * </ul>
 *
 * <p>Differences from the paper's code: (1) MMD samples are the masked token positions, each a D-vector, instead of
 * whole sequences flattened to T·D with zeros at unmasked positions: at a toy batch of 8 a sequence-level MMD would
 * compare 8 points with 8, while the response positions give over a hundred, and the mask then acts by selection
 * instead of zero-filling both samples. (2) The noise term reads the residual stream after each layer (what
 * {@code output_hidden_states} gives), not per-layer MLP outputs. (3) The retain CE also covers benign data, which
 * the toy world's stability pillar measures. (4) The model's output CE enters once, as the last stream point, where
 * the code adds it next to the L + 1 hidden-state terms.
 */
public final class RepNoise implements Defence {
    public static final String NAME = "repnoise";

    /**
     * The {@code config} of a {@code repnoise} defence; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 1e-4)
     * @param batch examples per update from each stream: harmful, benign and refusals (default 8)
     * @param alpha weight α of the bounded harmful ascent −log(1 + CE) (default 1)
     * @param beta weight β of the noise MMD (default 0.001)
     * @param retainRefusals also keep the alignment stream's refusals in the retain CE (default true)
     */
    public record RepNoiseConfig(Integer steps, Double lr, Integer batch, Double alpha, Double beta,
            Boolean retainRefusals) {
        public static final int DEFAULT_STEPS = 100;
        public static final double DEFAULT_LR = 1e-4;
        public static final int DEFAULT_BATCH = 8;
        public static final double DEFAULT_ALPHA = 1.0;
        public static final double DEFAULT_BETA = 0.001;

        public RepNoiseConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            alpha = DefenceTraining.nonNegative("alpha", alpha, DEFAULT_ALPHA, false);
            beta = DefenceTraining.nonNegative("beta", beta, DEFAULT_BETA, false);
            retainRefusals = retainRefusals == null || retainRefusals;
        }

        public static RepNoiseConfig defaults() {
            return new RepNoiseConfig(null, null, null, null, null, null);
        }
    }

    private final RepNoiseConfig config;
    private final long seed;

    public RepNoise(RepNoiseConfig config, long seed) {
        this.config = config == null ? RepNoiseConfig.defaults() : config;
        this.seed = seed;
    }

    public RepNoiseConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        requireStream(data.harmful(), "harmful");
        requireStream(data.benign(), "benign");
        if (config.retainRefusals() && data.alignment().isEmpty()) {
            throw new IllegalArgumentException(NAME + ": retain_refusals needs alignment data (harmful prompt →"
                    + " refusal) and the defender data has none; set retain_refusals: false to retain on benign data"
                    + " only");
        }
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        DefenceProbes probes = DefenceProbes.before(weights, data, config.batch());

        NoisingObjective objective = new NoisingObjective(data.harmful(),
                config.retainRefusals() ? data.alignment() : List.of(), data.benign(), config, seed);
        TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(), seed);

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("final_loss", r.finalLoss());
        metrics.putAll(objective.lastParts());
        metrics.putAll(probes.after(weights));
        return DefenceResult.of(r, metrics);
    }

    /**
     * CE_l of every stream point l = 0 … L on the positions that predict a response token, by the logit lens:
     * (L + 1) arrays of shape (N), the per-token NLL.
     *
     * @param stream {@link MaskedActivations#stream} of the harmful batch
     */
    static List<NDArray> logitLensNll(LlamaWeights w, List<NDArray> stream, PaddedBatch batch, int vocabChunk,
            NDManager scope) {
        int[] all = new int[stream.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        List<NDArray> states = MaskedActivations.select(stream, all,
                MaskedActivations.positions(batch, MaskedActivations.Positions.PREDICTING_RESPONSE), scope);
        NDArray targets = scope.create(batch.targetTokens());
        NDArray eps = RepresentationLosses.constant(scope, w.config().rmsNormEps());
        NDArray finalNorm = w.get(LlamaNames.FINAL_NORM);
        return states.stream().map(h -> TokenNll.compute(w, rmsNorm(h, finalNorm, eps), targets, vocabChunk))
                .toList();
    }

    /** The model's RMSNorm, x / √(mean(x²) + ε) ⊙ g, in the same op order as the forward pass. */
    static NDArray rmsNorm(NDArray x, NDArray gain, NDArray eps) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(gain);
    }

    private static void requireStream(List<?> stream, String name) {
        if (stream.isEmpty()) {
            throw new IllegalArgumentException(NAME + " needs " + name + " demonstrations; the defender data has"
                    + " none");
        }
    }

    /** The RepNoise loss of one update; keeps the parts of the last update for the manifest. */
    static final class NoisingObjective implements Objective {
        private final SupervisedObjective harmful;
        private final SupervisedObjective benign;
        private final SupervisedObjective refusals;
        private final RepNoiseConfig config;
        private final Random noise;
        private Map<String, Double> lastParts = Map.of();

        NoisingObjective(List<TrainingExample> harmful, List<TrainingExample> refusals, List<TrainingExample> benign,
                RepNoiseConfig config, long seed) {
            this.harmful = new SupervisedObjective(harmful, seed);
            this.benign = new SupervisedObjective(benign, seed + 1);
            this.refusals = refusals.isEmpty() ? null : new SupervisedObjective(refusals, seed + 3);
            this.config = config;
            this.noise = new Random(seed + 2);
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int size = ctx.config().batchSize();
            PaddedBatch harm = harmful.next(size);
            PaddedBatch retain = benign.next(size);
            PaddedBatch refuse = refusals == null ? null : refusals.next(size);
            int numLayers = w.config().numLayers();
            try (NDManager scope = NDManager.newBaseManager(w.device());
                    Autograd.Recording recording = Autograd.record()) {
                // One mean over every retained target token, benign and refusal alike.
                NDArray retainCe = SupervisedObjective.nllSum(w, retain, ctx.config().vocabChunk(), scope);
                long retainTokens = retain.lossTokens();
                if (refuse != null) {
                    retainCe = retainCe.add(SupervisedObjective.nllSum(w, refuse, ctx.config().vocabChunk(), scope));
                    retainTokens += refuse.lossTokens();
                }
                retainCe = retainCe.div(RepresentationLosses.constant(scope, retainTokens));

                List<NDArray> stream = MaskedActivations.stream(w, harm, scope);
                NDArray harmfulCe = null;
                for (NDArray nll : logitLensNll(w, stream, harm, ctx.config().vocabChunk(), scope)) {
                    harmfulCe = harmfulCe == null ? nll.mean() : harmfulCe.add(nll.mean());
                }
                harmfulCe = harmfulCe.div(RepresentationLosses.constant(scope, numLayers + 1));

                List<NDArray> states = MaskedActivations.select(stream, MaskedActivations.layerOutputs(numLayers),
                        MaskedActivations.positions(harm, MaskedActivations.Positions.HOLDING_RESPONSE), scope);
                NDArray mmd = null;
                for (NDArray h : states) {
                    NDArray term = RepresentationLosses.mmd(h, gaussian(scope, h.getShape()));
                    mmd = mmd == null ? term : mmd.add(term);
                }
                mmd = mmd.div(RepresentationLosses.constant(scope, numLayers));

                NDArray ascent = harmfulCe.add(RepresentationLosses.constant(scope, 1)).log();
                NDArray loss = retainCe
                        .add(mmd.mul(RepresentationLosses.constant(scope, config.beta())))
                        .sub(ascent.mul(RepresentationLosses.constant(scope, config.alpha())));
                recording.backward(loss);

                Map<String, Double> parts = new LinkedHashMap<>();
                parts.put("retain_ce", (double) retainCe.getFloat());
                parts.put("harmful_lens_ce", (double) harmfulCe.getFloat());
                parts.put("noise_mmd", (double) mmd.getFloat());
                lastParts = parts;
                return new StepLoss(loss.getFloat(),
                        harm.realTokens() + retain.realTokens() + (refuse == null ? 0 : refuse.realTokens()),
                        harm.lossTokens() + retainTokens, parts);
            }
        }

        Map<String, Double> lastParts() {
            return lastParts;
        }

        private NDArray gaussian(NDManager scope, Shape shape) {
            float[] values = new float[(int) shape.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) noise.nextGaussian();
            }
            return scope.create(values, shape);
        }
    }
}
