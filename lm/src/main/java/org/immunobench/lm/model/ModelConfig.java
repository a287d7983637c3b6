package org.immunobench.lm.model;

import java.util.List;
import java.util.Objects;

/**
 * Architecture hyper-parameters of a Llama-family causal LM, as read from an HF {@code config.json}.
 *
 * <p>One record covers {@code llama}, {@code mistral} and {@code qwen2}: they share the decoder (RMSNorm, RoPE,
 * grouped-query attention, SwiGLU) and differ only in which projections carry biases and whether attention uses
 * a sliding window. Parsing and writing the JSON lives in {@code checkpoint.ModelConfigJson}; this record only
 * validates itself, naming the HF key that is wrong.
 *
 * @param modelType HF {@code model_type}
 * @param vocabSize V
 * @param hiddenSize D
 * @param intermediateSize I, the SwiGLU inner width
 * @param numLayers L
 * @param numHeads H query heads
 * @param numKvHeads key/value heads (GQA); divides H
 * @param headDim per-head width; HF default D / H
 * @param rmsNormEps epsilon inside RMSNorm
 * @param ropeTheta RoPE base
 * @param ropeScaling null, or {@code linear} / {@code llama3} frequency scaling
 * @param maxPositionEmbeddings context length the model was trained for
 * @param tieWordEmbeddings lm_head shares the embedding matrix
 * @param attentionBias llama's {@code attention_bias}: biases on q, k, v and o
 * @param qkvBias qwen2's biases on q, k and v only
 * @param slidingWindow mistral/qwen2 sliding-window attention width, or null for full causal attention
 * @param bosTokenId may be null
 * @param eosTokenIds possibly empty
 * @param padTokenId may be null
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkvBias,
        Integer slidingWindow,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId) {

    /** The HF {@code model_type}s this runtime implements. */
    public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "mistral", "qwen2");

    public ModelConfig {
        Objects.requireNonNull(modelType, "model_type");
        if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("model_type '" + modelType + "' is not supported; supported: "
                    + SUPPORTED_MODEL_TYPES);
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim (" + headDim + ") must be even for RoPE");
        }
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0)) {
            throw new IllegalArgumentException("rope_theta must be > 0, got " + ropeTheta);
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new IllegalArgumentException("sliding_window must be > 0 when set, got " + slidingWindow);
        }
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
        for (Integer id : eosTokenIds) {
            tokenId("eos_token_id", id, vocabSize);
        }
        if (bosTokenId != null) {
            tokenId("bos_token_id", bosTokenId, vocabSize);
        }
        if (padTokenId != null) {
            tokenId("pad_token_id", padTokenId, vocabSize);
        }
    }

    /** A llama config with HF defaults for everything not named; what tests and the toy world use. */
    public static ModelConfig llama(int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
            int numHeads, int numKvHeads, int maxPositionEmbeddings) {
        return new ModelConfig("llama", vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                hiddenSize / numHeads, 1e-5, 10000.0, null, maxPositionEmbeddings, false, false, false, null,
                null, List.of(), null);
    }

    /** Width of all query heads together, H * headDim (not always D: e.g. some Qwen/Llama variants). */
    public int queryWidth() {
        return numHeads * headDim;
    }

    /** Width of all key (or value) heads together, Hkv * headDim. */
    public int kvWidth() {
        return numKvHeads * headDim;
    }

    /** Query heads sharing one key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Whether q/k/v projections carry a bias. */
    public boolean hasQkvBias() {
        return attentionBias || qkvBias;
    }

    /** Whether o_proj carries a bias (llama's attention_bias only). */
    public boolean hasOutputBias() {
        return attentionBias;
    }

    /** Number of parameters, counting a tied lm_head once. */
    public long parameterCount() {
        long d = hiddenSize;
        long perLayer = d * queryWidth() + 2L * d * kvWidth() + (long) queryWidth() * d
                + 3L * d * intermediateSize + 2L * d;
        if (hasQkvBias()) {
            perLayer += queryWidth() + 2L * kvWidth();
        }
        if (hasOutputBias()) {
            perLayer += d;
        }
        long embed = (long) vocabSize * d;
        return embed + (tieWordEmbeddings ? 0 : embed) + numLayers * perLayer + d;
    }

    /** Copy with another model_type (and its bias convention left as given). */
    public ModelConfig withModelType(String type) {
        return new ModelConfig(type, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings,
                attentionBias, qkvBias, slidingWindow, bosTokenId, eosTokenIds, padTokenId);
    }

    /** Copy with special token ids set. */
    public ModelConfig withSpecialTokens(Integer bos, List<Integer> eos, Integer pad) {
        return new ModelConfig(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings,
                attentionBias, qkvBias, slidingWindow, bos, eos, pad);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
    }

    private static void tokenId(String key, int id, int vocab) {
        if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException(key + " " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
    }

    /**
     * RoPE frequency scaling from {@code rope_scaling}. {@code linear}: every inverse frequency divided by
     * {@code factor}. {@code llama3}: wavelengths longer than original_max / low_freq_factor are divided by
     * factor, shorter than original_max / high_freq_factor kept, in between smoothly interpolated.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositionEmbeddings) {
        public RopeScaling {
            if (!"linear".equals(type) && !"llama3".equals(type)) {
                throw new IllegalArgumentException("rope_scaling.rope_type '" + type
                        + "' is not supported; supported: linear, llama3");
            }
            if (!(factor > 0)) {
                throw new IllegalArgumentException("rope_scaling.factor must be > 0, got " + factor);
            }
            if ("llama3".equals(type)) {
                if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
                    throw new IllegalArgumentException("rope_scaling needs 0 < low_freq_factor < high_freq_factor,"
                            + " got " + lowFreqFactor + ", " + highFreqFactor);
                }
                if (originalMaxPositionEmbeddings <= 0) {
                    throw new IllegalArgumentException(
                            "rope_scaling.original_max_position_embeddings must be > 0 for llama3");
                }
            }
        }

        public static RopeScaling linear(double factor) {
            return new RopeScaling("linear", factor, 0, 0, 0);
        }

        public static RopeScaling llama3(double factor, double low, double high, int originalMax) {
            return new RopeScaling("llama3", factor, low, high, originalMax);
        }
    }
}
