package org.immunobench.lm.reference;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.ModelConfig;

/**
 * Golden reference for the HF Llama-family ({@code llama}, {@code mistral}, {@code qwen2}) causal-LM forward pass:
 * plain loops in double precision, no caching, no shared code with the production runtime beyond
 * {@link ModelConfig} and {@link HostTensor}. Slow by design; meant for toy-sized models in tests.
 *
 * <p>Deliberate choices where HF leaves room:
 * <ul>
 *   <li>Positions are {@code max(0, cumsum(mask) - 1)} per sequence; the sliding window is measured in token
 *       indices ({@code i - j < w}), which equals position distance for contiguous (left/right-padded) inputs.</li>
 *   <li>A query row with no visible key (a padding row) yields a zero attention output.</li>
 *   <li>RoPE frequencies and angles are computed in double; HF computes them in float32, which matters only at
 *       large positions and far below test tolerances for toy contexts.</li>
 *   <li>{@link #hiddenStates} ends with the last decoder layer's output <em>before</em> the final norm, whereas
 *       HF's {@code output_hidden_states} replaces the last entry with the normed one.</li>
 * </ul>
 */
public final class NaiveLlama {

    private static final String P = "model.layers.";

    private final ModelConfig config;
    private final double[][] embed;
    private final double[][] lmHead;
    private final double[] finalNorm;
    private final Layer[] layers;
    private final double[] invFreq;

    private record Layer(double[] inputNorm, double[][] wq, double[] bq, double[][] wk, double[] bk, double[][] wv,
            double[] bv, double[][] wo, double[] bo, double[] postNorm, double[][] gate, double[][] up,
            double[][] down) {
    }

    /**
     * @param weights HF tensor names to tensors; must hold exactly the tensors the config implies (biases only when
     *     the config says so), plus optionally {@code lm_head.weight} when tied (then ignored, as HF ties it) and
     *     legacy {@code rotary_emb.inv_freq} buffers (ignored: recomputed from the config).
     */
    public NaiveLlama(ModelConfig config, Map<String, HostTensor> weights) {
        this.config = config;
        int v = config.vocabSize();
        int d = config.hiddenSize();
        int qw = config.queryWidth();
        int kw = config.kvWidth();
        int inter = config.intermediateSize();
        Set<String> used = new HashSet<>();
        embed = matrix(weights, used, "model.embed_tokens.weight", v, d);
        finalNorm = vector(weights, used, "model.norm.weight", d);
        if (config.tieWordEmbeddings()) {
            used.add("lm_head.weight");
            lmHead = embed;
        } else {
            lmHead = matrix(weights, used, "lm_head.weight", v, d);
        }
        layers = new Layer[config.numLayers()];
        boolean qkvB = config.hasQkvBias();
        boolean oB = config.hasOutputBias();
        for (int i = 0; i < layers.length; i++) {
            String a = P + i + ".self_attn.";
            String m = P + i + ".mlp.";
            layers[i] = new Layer(
                    vector(weights, used, P + i + ".input_layernorm.weight", d),
                    matrix(weights, used, a + "q_proj.weight", qw, d),
                    qkvB ? vector(weights, used, a + "q_proj.bias", qw) : null,
                    matrix(weights, used, a + "k_proj.weight", kw, d),
                    qkvB ? vector(weights, used, a + "k_proj.bias", kw) : null,
                    matrix(weights, used, a + "v_proj.weight", kw, d),
                    qkvB ? vector(weights, used, a + "v_proj.bias", kw) : null,
                    matrix(weights, used, a + "o_proj.weight", d, qw),
                    oB ? vector(weights, used, a + "o_proj.bias", d) : null,
                    vector(weights, used, P + i + ".post_attention_layernorm.weight", d),
                    matrix(weights, used, m + "gate_proj.weight", inter, d),
                    matrix(weights, used, m + "up_proj.weight", inter, d),
                    matrix(weights, used, m + "down_proj.weight", d, inter));
        }
        // Strict on leftovers: an unexpected bias or misspelt name would otherwise silently change the model.
        Set<String> extra = new TreeSet<>();
        for (String name : weights.keySet()) {
            if (!used.contains(name) && !name.endsWith("rotary_emb.inv_freq")) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("tensors not used by this config: " + extra);
        }
        invFreq = inverseFrequencies(config);
    }

    public ModelConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- public API

    /** Logits [B][T][V]; {@code attentionMask} may be null for "all real". */
    public double[][][] logits(int[][] tokens, int[][] attentionMask) {
        int[][] mask = checkBatch(tokens, attentionMask);
        double[][][] out = new double[tokens.length][][];
        for (int b = 0; b < tokens.length; b++) {
            double[][][] hs = forward(tokens[b], mask[b]);
            out[b] = head(hs[hs.length - 1]);
        }
        return out;
    }

    /** Logits [T][V] of one unpadded sequence. */
    public double[][] logits(int[] tokens) {
        return logits(new int[][] {tokens}, null)[0];
    }

    /** Residual stream [L+1][B][T][D]: 0 = embeddings, l = output of decoder layer l (before the final norm). */
    public double[][][][] hiddenStates(int[][] tokens, int[][] attentionMask) {
        int[][] mask = checkBatch(tokens, attentionMask);
        int nl = config.numLayers();
        double[][][][] out = new double[nl + 1][tokens.length][][];
        for (int b = 0; b < tokens.length; b++) {
            double[][][] hs = forward(tokens[b], mask[b]);
            for (int l = 0; l <= nl; l++) {
                out[l][b] = hs[l];
            }
        }
        return out;
    }

    /**
     * Per-target negative log-likelihoods of one unpadded sequence: element {@code k} is the NLL of
     * {@code tokens[max(1, scoreFrom) + k]} given everything before it.
     */
    public double[] nll(int[] tokens, int scoreFrom) {
        int start = Math.max(1, scoreFrom);
        if (start >= tokens.length) {
            return new double[0];
        }
        double[][] lg = logits(tokens);
        double[] out = new double[tokens.length - start];
        for (int t = start; t < tokens.length; t++) {
            double[] row = lg[t - 1];
            out[t - start] = logSumExp(row) - row[tokens[t]];
        }
        return out;
    }

    /**
     * Greedy continuation without a KV cache. Returns only the new tokens, the eos that stopped it included.
     * Ties go to the lowest token id, as {@code torch.argmax} does.
     */
    public int[] greedy(int[] prompt, int maxNewTokens, Set<Integer> eos) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        int[] seq = prompt.clone();
        int produced = 0;
        while (produced < maxNewTokens) {
            double[][] lg = logits(seq);
            int next = argmax(lg[lg.length - 1]);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
            produced++;
            if (eos != null && eos.contains(next)) {
                break;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    // ---------------------------------------------------------------- forward

    /** Hidden states [L+1][T][D] of one sequence. */
    private double[][][] forward(int[] tokens, int[] mask) {
        int t = tokens.length;
        int nl = config.numLayers();
        int[] pos = new int[t];
        int running = 0;
        for (int i = 0; i < t; i++) {
            running += mask[i];
            pos[i] = Math.max(0, running - 1);
        }
        double[][][] hs = new double[nl + 1][][];
        double[][] h = new double[t][];
        for (int i = 0; i < t; i++) {
            h[i] = embed[tokens[i]].clone();
        }
        hs[0] = h;
        for (int l = 0; l < nl; l++) {
            h = layer(layers[l], h, pos, mask);
            hs[l + 1] = h;
        }
        return hs;
    }

    private double[][] layer(Layer w, double[][] x, int[] pos, int[] mask) {
        int t = x.length;
        int nh = config.numHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        double eps = config.rmsNormEps();
        double scale = 1.0 / Math.sqrt(hd);
        Integer window = config.slidingWindow();

        double[][] q = new double[t][];
        double[][] k = new double[t][];
        double[][] v = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] xn = rmsNorm(x[i], w.inputNorm, eps);
            q[i] = linear(xn, w.wq, w.bq);
            k[i] = linear(xn, w.wk, w.bk);
            v[i] = linear(xn, w.wv, w.bv);
            for (int head = 0; head < nh; head++) {
                applyRope(q[i], head * hd, hd, pos[i], invFreq);
            }
            for (int head = 0; head < config.numKvHeads(); head++) {
                applyRope(k[i], head * hd, hd, pos[i], invFreq);
            }
        }

        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] ctx = new double[nh * hd];
            for (int head = 0; head < nh; head++) {
                int qo = head * hd;
                int ko = (head / group) * hd;
                double[] s = new double[i + 1];
                boolean[] ok = new boolean[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    ok[j] = mask[j] != 0 && (window == null || i - j < window);
                    if (!ok[j]) {
                        continue;
                    }
                    double dot = 0;
                    for (int e = 0; e < hd; e++) {
                        dot += q[i][qo + e] * k[j][ko + e];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    continue; // no visible key: padding row, left as zeros
                }
                double z = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = ok[j] ? Math.exp(s[j] - max) : 0;
                    z += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    if (ok[j]) {
                        double p = s[j] / z;
                        for (int e = 0; e < hd; e++) {
                            ctx[qo + e] += p * v[j][ko + e];
                        }
                    }
                }
            }
            double[] attn = linear(ctx, w.wo, w.bo);
            double[] h1 = new double[attn.length];
            for (int e = 0; e < h1.length; e++) {
                h1[e] = x[i][e] + attn[e];
            }
            double[] xn = rmsNorm(h1, w.postNorm, eps);
            double[] g = linear(xn, w.gate, null);
            double[] u = linear(xn, w.up, null);
            for (int e = 0; e < g.length; e++) {
                g[e] = silu(g[e]) * u[e];
            }
            double[] mlp = linear(g, w.down, null);
            for (int e = 0; e < h1.length; e++) {
                h1[e] += mlp[e];
            }
            out[i] = h1;
        }
        return out;
    }

    private double[][] head(double[][] h) {
        double[][] out = new double[h.length][];
        for (int i = 0; i < h.length; i++) {
            out[i] = linear(rmsNorm(h[i], finalNorm, config.rmsNormEps()), lmHead, null);
        }
        return out;
    }

    // ---------------------------------------------------------------- math, public for tests of the production code

    /** HF RMSNorm: {@code x / sqrt(mean(x^2) + eps) * w}. */
    public static double[] rmsNorm(double[] x, double[] w, double eps) {
        double ss = 0;
        for (double e : x) {
            ss += e * e;
        }
        double inv = 1.0 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * inv * w[i];
        }
        return y;
    }

    /** HF Linear with weight stored [out][in]: {@code y = W x + b}; {@code b} may be null. */
    public static double[] linear(double[] x, double[][] w, double[] b) {
        double[] y = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            double acc = b == null ? 0 : b[o];
            double[] row = w[o];
            for (int i = 0; i < x.length; i++) {
                acc += row[i] * x[i];
            }
            y[o] = acc;
        }
        return y;
    }

    public static double silu(double x) {
        return x / (1.0 + Math.exp(-x));
    }

    /** RoPE inverse frequencies (length headDim / 2), with {@code linear} or {@code llama3} scaling applied. */
    public static double[] inverseFrequencies(ModelConfig c) {
        int hd = c.headDim();
        double[] inv = new double[hd / 2];
        for (int k = 0; k < inv.length; k++) {
            inv[k] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * k) / hd);
        }
        ModelConfig.RopeScaling rs = c.ropeScaling();
        if (rs == null) {
            return inv;
        }
        if ("linear".equals(rs.type())) {
            for (int k = 0; k < inv.length; k++) {
                inv[k] /= rs.factor();
            }
        } else if ("llama3".equals(rs.type())) {
            double orig = rs.originalMaxPositionEmbeddings();
            double lowWl = orig / rs.lowFreqFactor();
            double highWl = orig / rs.highFreqFactor();
            for (int k = 0; k < inv.length; k++) {
                double wavelen = 2 * Math.PI / inv[k];
                if (wavelen > lowWl) {
                    inv[k] = inv[k] / rs.factor();
                } else if (wavelen >= highWl) {
                    double smooth = (orig / wavelen - rs.lowFreqFactor()) / (rs.highFreqFactor() - rs.lowFreqFactor());
                    inv[k] = (1 - smooth) * inv[k] / rs.factor() + smooth * inv[k];
                }
            }
        } else {
            throw new IllegalArgumentException("rope scaling " + rs.type());
        }
        return inv;
    }

    /**
     * In-place RoPE on {@code x[off, off+hd)} in HF's rotate_half layout: element {@code k} pairs with
     * {@code k + hd/2}, both rotated by angle {@code pos * invFreq[k]}.
     */
    public static void applyRope(double[] x, int off, int hd, int pos, double[] invFreq) {
        int half = hd / 2;
        for (int k = 0; k < half; k++) {
            double angle = pos * invFreq[k];
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double a = x[off + k];
            double b = x[off + k + half];
            // q*cos + rotate_half(q)*sin, rotate_half = (-second half, first half)
            x[off + k] = a * cos - b * sin;
            x[off + k + half] = b * cos + a * sin;
        }
    }

    public static double logSumExp(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : row) {
            max = Math.max(max, e);
        }
        double s = 0;
        for (double e : row) {
            s += Math.exp(e - max);
        }
        return max + Math.log(s);
    }

    public static int argmax(double[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- random weights

    /**
     * Every tensor the config implies, under its HF name: entries N(0, scale^2), norm weights 1 + N(0, 0.1^2).
     * Deterministic for a seed (tensors drawn in insertion order of the returned map).
     */
    public static Map<String, HostTensor> randomWeights(ModelConfig c, long seed, double scale) {
        Random r = new Random(seed);
        int v = c.vocabSize();
        int d = c.hiddenSize();
        int qw = c.queryWidth();
        int kw = c.kvWidth();
        int inter = c.intermediateSize();
        Map<String, HostTensor> m = new LinkedHashMap<>();
        put(m, r, scale, "model.embed_tokens.weight", v, d);
        for (int i = 0; i < c.numLayers(); i++) {
            String a = P + i + ".self_attn.";
            String mlp = P + i + ".mlp.";
            putNorm(m, r, P + i + ".input_layernorm.weight", d);
            put(m, r, scale, a + "q_proj.weight", qw, d);
            put(m, r, scale, a + "k_proj.weight", kw, d);
            put(m, r, scale, a + "v_proj.weight", kw, d);
            put(m, r, scale, a + "o_proj.weight", d, qw);
            if (c.hasQkvBias()) {
                put(m, r, scale, a + "q_proj.bias", qw);
                put(m, r, scale, a + "k_proj.bias", kw);
                put(m, r, scale, a + "v_proj.bias", kw);
            }
            if (c.hasOutputBias()) {
                put(m, r, scale, a + "o_proj.bias", d);
            }
            putNorm(m, r, P + i + ".post_attention_layernorm.weight", d);
            put(m, r, scale, mlp + "gate_proj.weight", inter, d);
            put(m, r, scale, mlp + "up_proj.weight", inter, d);
            put(m, r, scale, mlp + "down_proj.weight", d, inter);
        }
        putNorm(m, r, "model.norm.weight", d);
        if (!c.tieWordEmbeddings()) {
            put(m, r, scale, "lm_head.weight", v, d);
        }
        return m;
    }

    private static void put(Map<String, HostTensor> m, Random r, double scale, String name, int... shape) {
        int n = 1;
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            n *= shape[i];
            s[i] = shape[i];
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (r.nextGaussian() * scale);
        }
        m.put(name, new HostTensor(name, s, data));
    }

    private static void putNorm(Map<String, HostTensor> m, Random r, String name, int d) {
        float[] data = new float[d];
        for (int i = 0; i < d; i++) {
            data[i] = (float) (1.0 + 0.1 * r.nextGaussian());
        }
        m.put(name, new HostTensor(name, new long[] {d}, data));
    }

    // ---------------------------------------------------------------- loading and validation

    private static double[][] matrix(Map<String, HostTensor> w, Set<String> used, String name, int rows, int cols) {
        HostTensor t = require(w, used, name, new long[] {rows, cols});
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = t.data()[r * cols + c];
            }
        }
        return m;
    }

    private static double[] vector(Map<String, HostTensor> w, Set<String> used, String name, int n) {
        HostTensor t = require(w, used, name, new long[] {n});
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = t.data()[i];
        }
        return v;
    }

    private static HostTensor require(Map<String, HostTensor> w, Set<String> used, String name, long[] shape) {
        HostTensor t = w.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor " + name);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        used.add(name);
        return t;
    }

    private int[][] checkBatch(int[][] tokens, int[][] mask) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int t = tokens[0].length;
        if (mask != null && mask.length != tokens.length) {
            throw new IllegalArgumentException("mask batch " + mask.length + " != token batch " + tokens.length);
        }
        int[][] out = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != t) {
                throw new IllegalArgumentException("sequence " + b + " has length " + tokens[b].length + ", not " + t);
            }
            for (int id : tokens[b]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside vocabulary");
                }
            }
            if (mask == null) {
                out[b] = new int[t];
                Arrays.fill(out[b], 1);
            } else {
                if (mask[b].length != t) {
                    throw new IllegalArgumentException("mask row " + b + " has length " + mask[b].length);
                }
                for (int e : mask[b]) {
                    if (e != 0 && e != 1) {
                        throw new IllegalArgumentException("mask values must be 0 or 1, got " + e);
                    }
                }
                out[b] = mask[b];
            }
        }
        return out;
    }
}
