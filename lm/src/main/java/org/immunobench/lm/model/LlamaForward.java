package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.List;

/**
 * The Llama-family decoder forward pass (llama, mistral, qwen2) as plain functions over {@link LlamaWeights}.
 *
 * <p>Legend: B batch, T new tokens, S keys (past + new), D hidden, H query heads, Hkv key/value heads,
 * G = H / Hkv, hd head width, I MLP width, V vocabulary.
 *
 * <p>Scope rule: every op puts a per-batch array first, so results attach to the caller's manager (the one that
 * owns {@code tokens}); weights are only ever the second operand. Closing the caller's manager frees everything.
 *
 * <p>Padding: mask 1 = token, 0 = pad, on either side. RoPE positions are the running count of real tokens, so a
 * left-padded row gets the same positions as the unpadded one (HF generate does the same).
 */
public final class LlamaForward {
    /** Additive bias for disallowed keys; finite so a fully masked (pad) query row stays NaN-free. */
    private static final float MASKED = -1e9f;

    private LlamaForward() {
    }

    /**
     * @param tokens (B, T) int64 in the caller's scope
     * @param mask (B, T) float32 1/0, or null for no padding
     * @param cache past keys/values (appended to), or null
     */
    public static ForwardResult forward(LlamaWeights w, NDArray tokens, NDArray mask, ForwardOptions options,
            KvCache cache) {
        ModelConfig c = w.config();
        NDManager scope = tokens.getManager();
        long b = tokens.getShape().get(0);
        long t = tokens.getShape().get(1);
        if (mask == null) {
            mask = scope.ones(new Shape(b, t), DataType.FLOAT32);
        }
        long past = cache == null ? 0 : cache.length();

        NDArray pastCounts = cache == null || past == 0 ? scope.zeros(new Shape(b), DataType.INT64)
                : cache.realCounts().get(scope, new NDIndex("..."));
        NDArray positions = NDArrays.maximum(
                mask.toType(DataType.INT64, false).cumSum(1).sub(1).add(pastCounts.expandDims(1)), 0); // (B, T)
        NDArray fullMask = past == 0 ? mask
                : cache.mask().get(scope, new NDIndex("...")).concat(mask, 1); // (B, S)
        long s = fullMask.getShape().get(1);
        int maxPosition = (int) (past + t) + 1;
        NDArray additiveMask = attentionBias(scope, fullMask, past, t, s, c.slidingWindow()); // (B, 1, 1, T, S)
        DataType act = w.activationType();
        NDArray cos = Embedding.embedding(positions, w.ropeCos(maxPosition), SparseFormat.DENSE).head().expandDims(1);
        NDArray sin = Embedding.embedding(positions, w.ropeSin(maxPosition), SparseFormat.DENSE).head().expandDims(1);
        if (act != DataType.FLOAT32) {
            cos = cos.toType(act, false);
            sin = sin.toType(act, false);
        }

        NDArray h = w.toCompute(LlamaNames.EMBED_TOKENS,
                Embedding.embedding(tokens, w.get(LlamaNames.EMBED_TOKENS), SparseFormat.DENSE).head()); // (B, T, D)
        List<NDArray> captured = options.captureHidden() ? new ArrayList<>() : null;
        h = intervene(options, HookPoint.EMBEDDINGS, h, act);
        if (captured != null) {
            captured.add(act == DataType.FLOAT32 ? h : cast(h, DataType.FLOAT32));
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
            NDArray x = rmsNorm(h, w.get(LlamaNames.inputNorm(layer)), c.rmsNormEps(), act);
            NDArray attn = attention(w, layer, x, cos, sin, additiveMask, cache, scope, act);
            h = h.add(attn);
            h = intervene(options, HookPoint.mid(layer), h, act);
            x = rmsNorm(h, w.get(LlamaNames.postAttentionNorm(layer)), c.rmsNormEps(), act);
            h = h.add(mlp(w, layer, x));
            h = intervene(options, HookPoint.post(layer), h, act);
            if (captured != null) {
                captured.add(act == DataType.FLOAT32 ? h : cast(h, DataType.FLOAT32));
            }
        }
        NDArray finalHidden = rmsNorm(h, w.get(LlamaNames.FINAL_NORM), c.rmsNormEps(), act);
        NDArray logits = switch (options.logits()) {
            case ALL -> lmHead(w, finalHidden, scope);
            case LAST -> lmHead(w, finalHidden.get(new NDIndex(":, -1, :")), scope);
            case NONE -> null;
        };
        if (cache != null) {
            cache.commit(fullMask, pastCounts.add(mask.sum(new int[] {1}).toType(DataType.INT64, false)));
        }
        return new ForwardResult(finalHidden, logits, captured);
    }

    /**
     * y = x / sqrt(mean(x²) + ε) ⊙ w over the last axis, computed in float32 (the weight is always stored float32)
     * and returned in x's dtype, as HF does for half-precision models.
     */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add((float) eps).sqrt()).mul(weight);
    }

    /** {@link #rmsNorm(NDArray, NDArray, double)} for activations of dtype {@code act}. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps, DataType act) {
        if (act == DataType.FLOAT32) {
            return rmsNorm(x, weight, eps);
        }
        return cast(rmsNorm(cast(x, DataType.FLOAT32), weight, eps), act);
    }

    /** Logits of {@code hidden} (..., D), always float32. */
    private static NDArray lmHead(LlamaWeights w, NDArray hidden, NDManager scope) {
        try (LlamaWeights.Use head = w.use(LlamaNames.LM_HEAD, scope)) {
            NDArray logits = Linear.linear(hidden, head.array(), null).head();
            return w.activationType() == DataType.FLOAT32 ? logits : cast(logits, DataType.FLOAT32);
        }
    }

    /** {@code x} in {@code type}, differentiably ({@link Casts}): itself when it already is. */
    static NDArray cast(NDArray x, DataType type) {
        return Casts.to(x, type);
    }

    /**
     * A 0-d float tensor that owns its memory. Autograd keeps the second operand of mul/div/pow for backward;
     * DJL's {@code x.mul(Number)} backs that operand with a Java buffer it frees right after the op, so a GC
     * between forward and backward corrupts gradients (seen: NaN / 1e30 gradients). {@code full} allocates natively.
     * add/sub with a Number are safe: their backward never reads the operand.
     */
    static NDArray scalar(NDManager scope, double value) {
        return scope.full(new Shape(), (float) value, DataType.FLOAT32);
    }

    /** x Wᵀ + b, plus the LoRA term (α/r) (x Aᵀ) Bᵀ when an adapter is attached. */
    static NDArray project(LlamaWeights w, int layer, String proj, NDArray x) {
        String name = LlamaNames.projectionWeight(layer, proj);
        String biasName = LlamaNames.projectionBias(layer, proj);
        NDManager scope = x.getManager();
        NDArray y;
        try (LlamaWeights.Use weight = w.use(name, scope);
                LlamaWeights.Use bias = w.getOptional(biasName) == null ? null : w.use(biasName, scope)) {
            y = Linear.linear(x, weight.array(), bias == null ? null : bias.array()).head();
        }
        LlamaWeights.LoraAdapter ad = w.adapter(name);
        if (ad != null) {
            // adapters are float32 whatever the base dtype: their update must not lose precision
            boolean reduced = w.activationType() != DataType.FLOAT32;
            NDArray low = Linear.linear(reduced ? cast(x, DataType.FLOAT32) : x, ad.a(), null).head();
            NDArray delta = Linear.linear(low, ad.b(), null).head().mul(scalar(scope, ad.scaling()));
            y = y.add(reduced ? cast(delta, y.getDataType()) : delta);
        }
        return y;
    }

    private static NDArray attention(LlamaWeights w, int layer, NDArray x, NDArray cos, NDArray sin,
            NDArray additiveMask, KvCache cache, NDManager scope, DataType act) {
        ModelConfig c = w.config();
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int hd = c.headDim();
        int g = c.groupSize();
        NDArray q = project(w, layer, "q_proj", x).reshape(b, t, c.numHeads(), hd).transpose(0, 2, 1, 3);
        NDArray k = project(w, layer, "k_proj", x).reshape(b, t, c.numKvHeads(), hd).transpose(0, 2, 1, 3);
        NDArray v = project(w, layer, "v_proj", x).reshape(b, t, c.numKvHeads(), hd).transpose(0, 2, 1, 3);
        q = rope(q, cos, sin, hd);
        k = rope(k, cos, sin, hd);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v, scope);
            k = kv[0];
            v = kv[1];
        }
        long s = k.getShape().get(2);
        // Query head h reads kv head h / G: group the G query heads of one kv head along the token axis so K and
        // V are used in place instead of being repeated G times.
        NDArray grouped = q.reshape(b, c.numKvHeads(), (long) g * t, hd);
        NDArray raw = grouped.matMul(k.transpose(0, 1, 3, 2)).mul(scalar(scope, 1.0 / Math.sqrt(hd)));
        boolean reduced = act != DataType.FLOAT32;
        // mask and softmax in float32 whatever the activations (HF does the same in half precision)
        NDArray scores = (reduced ? cast(raw, DataType.FLOAT32) : raw)
                .reshape(b, c.numKvHeads(), g, t, s).add(additiveMask);
        NDArray softmax = scores.softmax(-1);
        NDArray probs = (reduced ? cast(softmax, act) : softmax).reshape(b, c.numKvHeads(), (long) g * t, s);
        NDArray out = probs.matMul(v) // (B, Hkv, G·T, hd)
                .reshape(b, c.numHeads(), t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) c.numHeads() * hd);
        return project(w, layer, "o_proj", out);
    }

    /** HF rotate-half RoPE: x cos + rotate_half(x) sin, rotate_half(x) = [−x₂, x₁]. x: (B, heads, T, hd). */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin, int hd) {
        int half = hd / 2;
        NDArray x1 = x.get(new NDIndex("..., :" + half));
        NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private static NDArray mlp(LlamaWeights w, int layer, NDArray x) {
        NDArray gate = project(w, layer, "gate_proj", x);
        NDArray silu = gate.mul(Activation.sigmoid(gate)); // not Activation.swish: it multiplies by a Number
        return project(w, layer, "down_proj", silu.mul(project(w, layer, "up_proj", x)));
    }

    /**
     * 0 where query i (absolute index past + i) may read key j, {@value #MASKED} elsewhere: key is a real token,
     * j ≤ past + i, and within the sliding window when there is one. Shape (B, 1, 1, T, S) to broadcast over the
     * grouped heads.
     */
    private static NDArray attentionBias(NDManager scope, NDArray fullMask, long past, long t, long s,
            Integer window) {
        NDArray queryIndex = scope.arange((float) past, (float) (past + t), 1f).reshape(t, 1);
        NDArray keyIndex = scope.arange(0f, (float) s, 1f).reshape(1, s);
        NDArray allowed = keyIndex.lte(queryIndex);
        if (window != null) {
            allowed = allowed.logicalAnd(queryIndex.sub(keyIndex).lt((float) window));
        }
        NDArray both = allowed.toType(DataType.FLOAT32, false).reshape(1, t, s)
                .mul(fullMask.reshape(fullMask.getShape().get(0), 1, s));
        return both.sub(1f).mul(-MASKED).reshape(fullMask.getShape().get(0), 1, 1, t, s);
    }

    /** Applies the interventions; the result is brought back to the activation dtype (a float32 edit would widen it). */
    private static NDArray intervene(ForwardOptions options, HookPoint point, NDArray h, DataType act) {
        for (ResidualIntervention i : options.interventions()) {
            h = i.apply(point, h);
        }
        return options.interventions().isEmpty() || act == DataType.FLOAT32 ? h : cast(h, act);
    }
}
