package org.immunobench.lm.checkpoint;

import org.immunobench.lm.model.ModelConfig;

import java.util.LinkedHashMap;

/**
 * The HF tensor names and shapes of a Llama-family checkpoint (llama, mistral, qwen2 share them), in forward
 * order (the order our files are written in; readers never depend on order). Weights are stored [out, in] as in
 * {@code torch.nn.Linear}. The loader and writer check files against {@link #expected}; model code uses the same
 * constants so a name is spelled once.
 *
 * <p>Legend: V vocab, D hidden, I intermediate, H query heads, Hkv key/value heads, hd head_dim.
 */
public final class TensorLayout {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    public static final String LAYERS_PREFIX = "model.layers.";

    // suffixes after layerPrefix(i)
    public static final String INPUT_NORM = "input_layernorm.weight";
    public static final String Q_PROJ = "self_attn.q_proj.weight";
    public static final String K_PROJ = "self_attn.k_proj.weight";
    public static final String V_PROJ = "self_attn.v_proj.weight";
    public static final String O_PROJ = "self_attn.o_proj.weight";
    public static final String Q_BIAS = "self_attn.q_proj.bias";
    public static final String K_BIAS = "self_attn.k_proj.bias";
    public static final String V_BIAS = "self_attn.v_proj.bias";
    public static final String O_BIAS = "self_attn.o_proj.bias";
    public static final String POST_ATTENTION_NORM = "post_attention_layernorm.weight";
    public static final String GATE_PROJ = "mlp.gate_proj.weight";
    public static final String UP_PROJ = "mlp.up_proj.weight";
    public static final String DOWN_PROJ = "mlp.down_proj.weight";

    /** Non-persistent RoPE buffer that checkpoints saved by older transformers carry; recomputed, never loaded. */
    public static final String ROTARY_INV_FREQ_SUFFIX = "rotary_emb.inv_freq";

    private TensorLayout() {
    }

    /** {@code model.layers.{i}.} */
    public static String layerPrefix(int layer) {
        return LAYERS_PREFIX + layer + ".";
    }

    /** Full name of a per-layer tensor: {@code layer(0, Q_PROJ)} is {@code model.layers.0.self_attn.q_proj.weight}. */
    public static String layer(int layer, String suffix) {
        return layerPrefix(layer) + suffix;
    }

    /** Tensors a loader drops without complaint. */
    public static boolean isIgnoredBuffer(String name) {
        return name.endsWith(ROTARY_INV_FREQ_SUFFIX);
    }

    /** Every tensor the config implies, with its shape, in forward order. */
    public static LinkedHashMap<String, long[]> expected(ModelConfig c) {
        long v = c.vocabSize();
        long d = c.hiddenSize();
        long inter = c.intermediateSize();
        long q = c.queryWidth();
        long kv = c.kvWidth();
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        out.put(EMBED_TOKENS, new long[] {v, d});
        for (int i = 0; i < c.numLayers(); i++) {
            out.put(layer(i, INPUT_NORM), new long[] {d});
            out.put(layer(i, Q_PROJ), new long[] {q, d});
            if (c.hasQkvBias()) {
                out.put(layer(i, Q_BIAS), new long[] {q});
            }
            out.put(layer(i, K_PROJ), new long[] {kv, d});
            if (c.hasQkvBias()) {
                out.put(layer(i, K_BIAS), new long[] {kv});
            }
            out.put(layer(i, V_PROJ), new long[] {kv, d});
            if (c.hasQkvBias()) {
                out.put(layer(i, V_BIAS), new long[] {kv});
            }
            out.put(layer(i, O_PROJ), new long[] {d, q});
            if (c.hasOutputBias()) {
                out.put(layer(i, O_BIAS), new long[] {d});
            }
            out.put(layer(i, POST_ATTENTION_NORM), new long[] {d});
            out.put(layer(i, GATE_PROJ), new long[] {inter, d});
            out.put(layer(i, UP_PROJ), new long[] {inter, d});
            out.put(layer(i, DOWN_PROJ), new long[] {d, inter});
        }
        out.put(FINAL_NORM, new long[] {d});
        if (!c.tieWordEmbeddings()) {
            out.put(LM_HEAD, new long[] {v, d});
        }
        return out;
    }
}
