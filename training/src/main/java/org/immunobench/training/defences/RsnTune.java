package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.HookPoint;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.ResidualIntervention;
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
import java.util.Arrays;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RSN-Tune, robust safety-neuron tuning (Zhao, Zhang, Xie, Goyal, Kawaguchi, Shieh, "Understanding and Enhancing
 * Safety Mechanisms of LLMs via Safety-Specific Neuron", ICLR 2025, OpenReview yR47RmND1m; no arXiv id). Find the
 * neurons that carry safety, drop those that general capability also needs, and fine-tune only the rest on safety
 * data, everything else frozen, so a later fine-tune that moves the shared ("foundation") neurons leaves them alone.
 *
 * <p>Neurons and their importance on one input x (T positions), the L2 (Frobenius) change of the sublayer's output
 * over x's positions when the neuron is zeroed, in the paper's closed forms:
 * <pre>
 *   FFN neuron k of layer l (row k of W_up, column k of W_down):  I_k(x) = ‖a_k(x)‖₂ · ‖W_down[:, k]‖₂,
 *       a(x) = silu(W_gate x̃) ⊙ (W_up x̃),  x̃ = the post-attention RMSNorm of the stream
 *   value neuron j of layer l (row j of W_v):                     I_j(x) = ‖v_j(x)‖₂ · ‖W_o[:, C_j]‖_F,
 *       v(x) = W_v x̃,  x̃ = the input RMSNorm,  C_j = the o_proj columns that read channel j (one per query head of
 *       j's key-value group; one column without grouped attention)
 * </pre>
 * The value form is the paper's: it treats the attention mix as the identity. A neuron is <b>safety</b> when it is
 * among the top {@code attention_top_fraction} (value) or {@code ffn_top_fraction} (FFN) of its layer on every one
 * of the {@code detection_prompts} harmful prompts (the authors' code: per-prompt top-K per layer, intersected over
 * prompts), and <b>foundation</b> by the same test on general text. RSN-Tune trains safety \ foundation;
 * {@code exclude_foundation: false} gives SN-Tune (all safety neurons).
 *
 * <p>Tuning: next-token loss on harmful prompts with refusals (the alignment stream), gradients masked to the
 * selected rows of W_up and W_v and columns of W_down (W_gate is never trained, as in the paper), AdamW with no
 * weight decay, so every other weight stays bit-identical (AdamW moves an element only through its gradient or the
 * decay, and a masked element has neither).
 *
 * <p>Defaults, paper → ours:
 * <ul>
 *   <li>{@code detection_prompts} 200 (paper 200). Foundation text: the paper uses Wikipedia; ours is the defender's
 *     benign demonstrations, prompt and answer (the toy world has no other general text).</li>
 *   <li>{@code ffn_top_fraction} 0.84 and {@code attention_top_fraction} 0.49: the authors' per-layer top-K of
 *     Llama-3-8B, 12,000 of 14,336 FFN neurons and 2,000 of 4,096 attention neurons, as fractions of the layer so
 *     they carry over to 344 FFN and 128 value neurons (TamperBench uses an absolute threshold of 1.0 instead,
 *     which depends on the model's activation scale).</li>
 *   <li>Query and key neurons (importance = change of the attention softmax) are not detected: their closed form needs
 *     the attention probabilities, which the forward pass does not expose; only value and FFN neurons are tuned.</li>
 *   <li>{@code steps} 50, {@code batch} 8, {@code lr} 1e-3, constant after warm-up (paper: 50 training documents, one
 *     epoch, lr 1e-6 on 8B models, batch 8 × 4). The paper's learning rate moves a toy model's few hundred selected
 *     weights by nothing measurable; 1e-3 is the toy world's alignment scale.</li>
 * </ul>
 *
 * <p>Manifest figures: {@code safety_neurons}, {@code foundation_neurons}, {@code tuned_neurons} (with their
 * {@code _ffn} and {@code _value} split), {@code tuned_weight_share} (the trained share of all weights),
 * {@code final_loss}, {@code refusal_loss_tail}, and the response NLLs before and after.
 */
public final class RsnTune implements Defence {
    public static final String NAME = "rsn_tune";

    /**
     * The {@code config} of an {@code rsn_tune} defence; every field optional.
     *
     * @param steps optimiser updates (default 50)
     * @param lr peak learning rate (default 1e-3)
     * @param batch refusal examples per update (default 8)
     * @param detectionPrompts harmful prompts (and general texts) the neurons are detected on (default 200)
     * @param ffnTopFraction per-layer share of FFN neurons counted important on one input (default 0.84)
     * @param attentionTopFraction per-layer share of value neurons counted important on one input (default 0.49)
     * @param excludeFoundation train safety minus foundation neurons (RSN-Tune, default) or all safety neurons
     *     (SN-Tune)
     */
    public record RsnTuneConfig(Integer steps, Double lr, Integer batch, Integer detectionPrompts,
            Double ffnTopFraction, Double attentionTopFraction, Boolean excludeFoundation) {
        public static final int DEFAULT_STEPS = 50;
        public static final double DEFAULT_LR = 1e-3;
        public static final int DEFAULT_BATCH = 8;
        public static final int DEFAULT_DETECTION_PROMPTS = 200;
        public static final double DEFAULT_FFN_TOP_FRACTION = 12000.0 / 14336;
        public static final double DEFAULT_ATTENTION_TOP_FRACTION = 2000.0 / 4096;

        public RsnTuneConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            detectionPrompts = DefenceTraining.positive("detection_prompts", detectionPrompts,
                    DEFAULT_DETECTION_PROMPTS);
            ffnTopFraction = fraction("ffn_top_fraction", ffnTopFraction, DEFAULT_FFN_TOP_FRACTION);
            attentionTopFraction = fraction("attention_top_fraction", attentionTopFraction,
                    DEFAULT_ATTENTION_TOP_FRACTION);
            excludeFoundation = excludeFoundation == null || excludeFoundation;
        }

        private static double fraction(String key, Double value, double fallback) {
            if (value == null) {
                return fallback;
            }
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException(key + " must be in (0, 1], got " + value);
            }
            return value;
        }

        public static RsnTuneConfig defaults() {
            return new RsnTuneConfig(null, null, null, null, null, null, null);
        }
    }

    /**
     * Neurons per layer: {@code ffn[l]} over the intermediate units, {@code value[l]} over the key-value channels.
     */
    record NeuronSet(BitSet[] ffn, BitSet[] value) {
        static NeuronSet all(ModelConfig c, boolean set) {
            BitSet[] ffn = new BitSet[c.numLayers()];
            BitSet[] value = new BitSet[c.numLayers()];
            for (int l = 0; l < c.numLayers(); l++) {
                ffn[l] = new BitSet(c.intermediateSize());
                value[l] = new BitSet(kvWidth(c));
                if (set) {
                    ffn[l].set(0, c.intermediateSize());
                    value[l].set(0, kvWidth(c));
                }
            }
            return new NeuronSet(ffn, value);
        }

        int ffnCount() {
            return Arrays.stream(ffn).mapToInt(BitSet::cardinality).sum();
        }

        int valueCount() {
            return Arrays.stream(value).mapToInt(BitSet::cardinality).sum();
        }

        int count() {
            return ffnCount() + valueCount();
        }

        /** This set without {@code other}'s neurons (a copy). */
        NeuronSet minus(NeuronSet other) {
            BitSet[] f = new BitSet[ffn.length];
            BitSet[] v = new BitSet[value.length];
            for (int l = 0; l < ffn.length; l++) {
                f[l] = (BitSet) ffn[l].clone();
                f[l].andNot(other.ffn[l]);
                v[l] = (BitSet) value[l].clone();
                v[l].andNot(other.value[l]);
            }
            return new NeuronSet(f, v);
        }
    }

    private final RsnTuneConfig config;
    private final long seed;

    public RsnTune(RsnTuneConfig config, long seed) {
        this.config = config == null ? RsnTuneConfig.defaults() : config;
        this.seed = seed;
    }

    public RsnTuneConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        ExampleStream.require(NAME, "alignment", data.alignment());
        List<int[]> harmfulInputs = data.harmfulPrompts().isEmpty() ? promptsOf(data.alignment())
                : data.harmfulPrompts();
        if (config.excludeFoundation()) {
            ExampleStream.require(NAME, "benign", data.benign());
        }
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        ModelConfig c = weights.config();
        NeuronSet safety = detect(weights, first(harmfulInputs, config.detectionPrompts()), config);
        NeuronSet foundation = config.excludeFoundation()
                ? detect(weights, first(textsOf(data.benign()), config.detectionPrompts()), config)
                : NeuronSet.all(c, false);
        NeuronSet tuned = safety.minus(foundation);
        if (tuned.count() == 0) {
            throw new IllegalStateException(NAME + ": no neuron to tune (" + safety.count() + " safety neurons, all of"
                    + " them foundation neurons too); raise ffn_top_fraction / attention_top_fraction or set"
                    + " exclude_foundation: false");
        }
        DefenceProbes probes = DefenceProbes.before(weights, data, config.batch());
        TrainerConfig trainer = DefenceTraining.config(config.steps(), config.lr(), config.batch(), seed)
                .withWeightDecay(0.0);
        TrainingResult r;
        try (MaskedRefusals objective = new MaskedRefusals(data.alignment(), tuned, seed)) {
            r = new Trainer().run(weights, objective, trainer, null);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("safety_neurons", (double) safety.count());
            metrics.put("foundation_neurons", (double) foundation.count());
            metrics.put("tuned_neurons", (double) tuned.count());
            metrics.put("tuned_neurons_ffn", (double) tuned.ffnCount());
            metrics.put("tuned_neurons_value", (double) tuned.valueCount());
            metrics.put("tuned_weight_share", (double) tunedWeights(c, tuned) / totalWeights(weights));
            metrics.put("final_loss", r.finalLoss());
            metrics.putAll(objective.tail.tailMeans(config.steps()));
            metrics.putAll(probes.after(weights));
            return DefenceResult.of(r, metrics);
        }
    }

    /**
     * The neurons among the per-layer top fraction on every input: FFN neurons by ‖a_k‖·‖W_down[:, k]‖, value neurons
     * by ‖v_j‖·‖W_o[:, C_j]‖. Inference only (grad mode off on this thread for the duration).
     */
    static NeuronSet detect(LlamaWeights w, List<int[]> inputs, RsnTuneConfig config) {
        ModelConfig c = w.config();
        NeuronSet kept = NeuronSet.all(c, true);
        int ffnK = Math.max(1, (int) Math.round(config.ffnTopFraction() * c.intermediateSize()));
        int valueK = Math.max(1, (int) Math.round(config.attentionTopFraction() * kvWidth(c)));
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            float[][] downNorms = new float[c.numLayers()][];
            float[][] outNorms = new float[c.numLayers()][];
            for (int l = 0; l < c.numLayers(); l++) {
                downNorms[l] = w.get(LlamaNames.projectionWeight(l, "down_proj")).square().sum(new int[] {0}).sqrt()
                        .toFloatArray();
                outNorms[l] = valueOutputNorms(w.get(LlamaNames.projectionWeight(l, "o_proj")).toFloatArray(), c);
            }
            for (int start = 0; start < inputs.size(); start += 32) {
                List<int[]> chunk = inputs.subList(start, Math.min(inputs.size(), start + 32));
                float[][][] ffn = new float[c.numLayers()][][];
                float[][][] value = new float[c.numLayers()][][];
                activationNorms(w, chunk, scope, ffn, value);
                for (int l = 0; l < c.numLayers(); l++) {
                    for (int b = 0; b < chunk.size(); b++) {
                        kept.ffn()[l].and(top(ffn[l][b], downNorms[l], ffnK));
                        kept.value()[l].and(top(value[l][b], outNorms[l], valueK));
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(previous);
        }
        return kept;
    }

    /**
     * Per layer and input row: the L2 norm over the row's real positions of every FFN activation a_k
     * ({@code ffn[l][b][k]}) and of every value channel v_j ({@code value[l][b][j]}).
     */
    private static void activationNorms(LlamaWeights w, List<int[]> rows, NDManager scope, float[][][] ffn,
            float[][][] value) {
        ModelConfig c = w.config();
        int length = rows.stream().mapToInt(r -> r.length).max().orElse(1);
        long[] ids = new long[rows.size() * length];
        float[] attention = new float[rows.size() * length];
        for (int b = 0; b < rows.size(); b++) {
            int[] r = rows.get(b);
            for (int t = 0; t < r.length; t++) {
                ids[b * length + t] = r[t];
                attention[b * length + t] = 1f;
            }
        }
        try (NDManager batch = scope.newSubManager()) {
            NDArray tokens = batch.create(ids, new Shape(rows.size(), length));
            NDArray mask = batch.create(attention, new Shape(rows.size(), length));
            NDArray maskColumn = mask.expandDims(-1);
            NDArray[] mid = new NDArray[c.numLayers()];
            ResidualIntervention capture = (point, hidden) -> {
                if (point.kind() == HookPoint.Kind.MID) {
                    mid[point.layer()] = hidden;
                }
                return hidden;
            };
            ForwardResult r = LlamaForward.forward(w, tokens, mask,
                    ForwardOptions.hiddenOnly().withCapture().withInterventions(List.of(capture)), null);
            NDArray eps = RepresentationLosses.constant(batch, c.rmsNormEps());
            for (int l = 0; l < c.numLayers(); l++) {
                NDArray xAttn = RepNoise.rmsNorm(r.hiddenStates().get(l), w.get(LlamaNames.inputNorm(l)), eps);
                NDArray v = project(w, l, "v_proj", xAttn);
                value[l] = rowNorms(v.mul(maskColumn), rows.size());
                NDArray xMlp = RepNoise.rmsNorm(mid[l], w.get(LlamaNames.postAttentionNorm(l)), eps);
                NDArray gate = project(w, l, "gate_proj", xMlp);
                NDArray a = gate.mul(Activation.sigmoid(gate)).mul(project(w, l, "up_proj", xMlp));
                ffn[l] = rowNorms(a.mul(maskColumn), rows.size());
            }
        }
    }

    /** (B, T, C) → per row b the L2 norm over t of every channel: [b][c]. */
    private static float[][] rowNorms(NDArray x, int rows) {
        float[] flat = x.square().sum(new int[] {1}).sqrt().toFloatArray();
        int width = flat.length / rows;
        float[][] out = new float[rows][];
        for (int b = 0; b < rows; b++) {
            out[b] = Arrays.copyOfRange(flat, b * width, (b + 1) * width);
        }
        return out;
    }

    private static NDArray project(LlamaWeights w, int layer, String proj, NDArray x) {
        return Linear.linear(x, w.get(LlamaNames.projectionWeight(layer, proj)),
                w.getOptional(LlamaNames.projectionBias(layer, proj))).head();
    }

    /**
     * ‖W_o[:, C_j]‖_F for every key-value channel j = g·hd + i: the o_proj columns h·hd + i of the query heads h of
     * group g. {@code oProj} is row-major (D, H·hd).
     */
    static float[] valueOutputNorms(float[] oProj, ModelConfig c) {
        int hd = c.headDim();
        int heads = c.numHeads();
        int group = c.groupSize();
        int in = c.queryWidth();
        int rows = oProj.length / in;
        float[] out = new float[kvWidth(c)];
        for (int j = 0; j < out.length; j++) {
            int g = j / hd;
            int i = j % hd;
            double sum = 0;
            for (int h = g * group; h < (g + 1) * group; h++) {
                int col = h * hd + i;
                for (int d = 0; d < rows; d++) {
                    double x = oProj[d * in + col];
                    sum += x * x;
                }
            }
            out[j] = (float) Math.sqrt(sum);
        }
        return out;
    }

    /** Indices of the {@code k} largest activation × weight-norm products (ties broken by the lower index). */
    static BitSet top(float[] activation, float[] weightNorm, int k) {
        Integer[] order = new Integer[activation.length];
        double[] score = new double[activation.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            score[i] = (double) activation[i] * weightNorm[i];
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        BitSet out = new BitSet(order.length);
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.set(order[i]);
        }
        return out;
    }

    static int kvWidth(ModelConfig c) {
        return c.kvWidth();
    }

    private static long tunedWeights(ModelConfig c, NeuronSet s) {
        return (long) s.ffnCount() * 2 * c.hiddenSize() + (long) s.valueCount() * c.hiddenSize();
    }

    private static long totalWeights(LlamaWeights w) {
        long n = 0;
        for (NDArray a : w.arrays().values()) {
            n += a.getShape().size();
        }
        return n;
    }

    private static <T> List<T> first(List<T> list, int n) {
        return list.subList(0, Math.min(n, list.size()));
    }

    /** The prompt tokens (before the first loss token) of each example. */
    static List<int[]> promptsOf(List<TrainingExample> examples) {
        List<int[]> out = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            boolean[] mask = e.lossMask();
            int n = 0;
            while (n < mask.length && !mask[n]) {
                n++;
            }
            out.add(Arrays.copyOf(e.tokens(), Math.max(1, n)));
        }
        return out;
    }

    private static List<int[]> textsOf(List<TrainingExample> examples) {
        return examples.stream().map(TrainingExample::tokens).toList();
    }

    /**
     * Gradient masks of the tuned neurons, 1 on their weights and 0 elsewhere, by weight array: rows of up_proj and
     * v_proj (and v_proj's bias), columns of down_proj. Arrays without a tuned neuron have no mask (all 0).
     */
    static Map<String, float[]> masks(ModelConfig c, NeuronSet tuned, Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        int d = c.hiddenSize();
        int inter = c.intermediateSize();
        for (int l = 0; l < c.numLayers(); l++) {
            BitSet f = tuned.ffn()[l];
            BitSet v = tuned.value()[l];
            if (!f.isEmpty()) {
                float[] up = new float[inter * d]; // (I, D): row k
                float[] down = new float[d * inter]; // (D, I): column k
                for (int k = f.nextSetBit(0); k >= 0; k = f.nextSetBit(k + 1)) {
                    Arrays.fill(up, k * d, (k + 1) * d, 1f);
                    for (int row = 0; row < d; row++) {
                        down[row * inter + k] = 1f;
                    }
                }
                out.put(LlamaNames.projectionWeight(l, "up_proj"), up);
                out.put(LlamaNames.projectionWeight(l, "down_proj"), down);
            }
            if (!v.isEmpty()) {
                float[] rows = new float[kvWidth(c) * d];
                float[] bias = new float[kvWidth(c)];
                for (int j = v.nextSetBit(0); j >= 0; j = v.nextSetBit(j + 1)) {
                    Arrays.fill(rows, j * d, (j + 1) * d, 1f);
                    bias[j] = 1f;
                }
                out.put(LlamaNames.projectionWeight(l, "v_proj"), rows);
                if (arrays.containsKey(LlamaNames.projectionBias(l, "v_proj"))) {
                    out.put(LlamaNames.projectionBias(l, "v_proj"), bias);
                }
            }
        }
        return out;
    }

    /** Response NLL on the refusals, with every gradient outside the tuned neurons set to zero. */
    static final class MaskedRefusals implements Objective, AutoCloseable {
        private final SupervisedObjective refusals;
        private final NeuronSet tuned;
        private final NDManager maskScope;
        private IdentityHashMap<NDArray, NDArray> masks;
        final LossHistory tail = new LossHistory();

        MaskedRefusals(List<TrainingExample> refusals, NeuronSet tuned, long seed) {
            this.refusals = new SupervisedObjective(refusals, seed);
            this.tuned = tuned;
            this.maskScope = NDManager.newBaseManager();
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            if (masks == null) {
                masks = new IdentityHashMap<>();
                Map<String, float[]> byName = masks(w.config(), tuned, w.arrays());
                for (Map.Entry<String, NDArray> e : w.arrays().entrySet()) {
                    float[] m = byName.get(e.getKey());
                    if (m != null) {
                        NDArray mask = maskScope.create(m, e.getValue().getShape()).toDevice(w.device(), false);
                        mask.attach(maskScope);
                        masks.put(e.getValue(), mask);
                    }
                }
            }
            PaddedBatch batch = refusals.next(ctx.config().batchSize());
            double loss = SupervisedObjective.forwardBackward(w, batch, batch.lossTokens(), ctx.config().vocabChunk());
            for (NDArray p : ctx.parameters()) {
                NDArray mask = masks.get(p);
                try (NDArray g = p.getGradient()) {
                    if (mask == null) {
                        g.muli(0f);
                    } else {
                        g.muli(mask);
                    }
                }
            }
            Map<String, Double> parts = Map.of("refusal_loss", loss);
            tail.add(ctx.step(), parts);
            return new StepLoss(loss, batch.realTokens(), batch.lossTokens(), parts);
        }

        @Override
        public String progress() {
            return refusals.progress();
        }

        @Override
        public void close() {
            maskScope.close();
        }
    }
}
