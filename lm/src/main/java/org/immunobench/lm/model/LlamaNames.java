package org.immunobench.lm.model;

/** HF tensor names of the Llama family (identical for mistral and qwen2). */
public final class LlamaNames {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private LlamaNames() {
    }

    public static String layer(int i) {
        return "model.layers." + i + ".";
    }

    public static String inputNorm(int i) {
        return layer(i) + "input_layernorm.weight";
    }

    public static String postAttentionNorm(int i) {
        return layer(i) + "post_attention_layernorm.weight";
    }

    /** {@code proj} is one of q_proj, k_proj, v_proj, o_proj (attention) or gate_proj, up_proj, down_proj (MLP). */
    public static String projectionWeight(int i, String proj) {
        return layer(i) + (isAttention(proj) ? "self_attn." : "mlp.") + proj + ".weight";
    }

    public static String projectionBias(int i, String proj) {
        return layer(i) + (isAttention(proj) ? "self_attn." : "mlp.") + proj + ".bias";
    }

    private static boolean isAttention(String proj) {
        return proj.equals("q_proj") || proj.equals("k_proj") || proj.equals("v_proj") || proj.equals("o_proj");
    }
}
