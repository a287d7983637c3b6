package org.immunobench.lm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.ModelConfig.RopeScaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HF {@code config.json} ⇄ {@link ModelConfig} for {@code llama}, {@code mistral} and {@code qwen2}, with the
 * defaults of the transformers config classes for absent keys. Keys this runtime does not model (dropout, init
 * range, ...) are ignored; keys that change the architecture in ways it does not implement ({@code mlp_bias},
 * rope types other than linear/llama3, per-layer sliding windows) are errors, never silently dropped.
 */
public final class ModelConfigJson {
    private static final Map<String, String> ARCHITECTURES = Map.of(
            "llama", "LlamaForCausalLM",
            "mistral", "MistralForCausalLM",
            "qwen2", "Qwen2ForCausalLM");
    private static final Map<String, Integer> DEFAULT_MAX_POSITIONS = Map.of(
            "llama", 2048, "mistral", 32768, "qwen2", 32768);
    /** transformers' MistralConfig/Qwen2Config default when the key is absent (an explicit null means off). */
    private static final int DEFAULT_SLIDING_WINDOW = 4096;
    /** transformers' Qwen2Config default: layers below this index use full attention. */
    private static final int DEFAULT_MAX_WINDOW_LAYERS = 28;

    private ModelConfigJson() {
    }

    public static ModelConfig read(Path configJson) {
        String where = "config.json at " + configJson;
        String text;
        try {
            text = Files.readString(configJson);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(where + " does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + where + ": " + e, e);
        }
        return parse(text, where);
    }

    /** Parses config.json text; {@code source} names where it came from in error messages. */
    public static ModelConfig fromJson(String json, String source) {
        return parse(json, source);
    }

    public static void write(Path configJson, ModelConfig config) {
        String json;
        try {
            json = toJson(config);
        } catch (CheckpointException e) {
            throw new CheckpointException("cannot write " + configJson + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(configJson, json);
    }

    /** HF-compatible config.json text; {@code fromJson(toJson(c))} equals {@code c}. */
    public static String toJson(ModelConfig c) {
        String problem = unrepresentable(c);
        if (problem != null) {
            throw new CheckpointException("model config cannot be expressed as an HF " + c.modelType()
                    + " config.json: " + problem);
        }
        ObjectNode o = Safetensors.JSON.createObjectNode();
        o.putArray("architectures").add(ARCHITECTURES.get(c.modelType()));
        o.put("model_type", c.modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.numLayers());
        o.put("num_attention_heads", c.numHeads());
        o.put("num_key_value_heads", c.numKvHeads());
        o.put("head_dim", c.headDim());
        o.put("hidden_act", "silu");
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        RopeScaling rs = c.ropeScaling();
        if (rs == null) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode r = o.putObject("rope_scaling");
            r.put("rope_type", rs.type());
            r.put("factor", rs.factor());
            if ("llama3".equals(rs.type())) {
                r.put("low_freq_factor", rs.lowFreqFactor());
                r.put("high_freq_factor", rs.highFreqFactor());
                r.put("original_max_position_embeddings", rs.originalMaxPositionEmbeddings());
            }
        }
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        switch (c.modelType()) {
            case "llama" -> {
                o.put("attention_bias", c.attentionBias());
                o.put("mlp_bias", false);
            }
            case "mistral" -> o.put("sliding_window", c.slidingWindow());
            case "qwen2" -> {
                o.put("use_sliding_window", c.slidingWindow() != null);
                o.put("sliding_window", c.slidingWindow());
                // 0: every layer uses the window, which is what ModelConfig.slidingWindow means
                o.put("max_window_layers", c.slidingWindow() != null ? 0 : c.numLayers());
            }
            default -> throw new IllegalStateException(c.modelType());
        }
        o.put("bos_token_id", c.bosTokenId());
        List<Integer> eos = c.eosTokenIds();
        if (eos.isEmpty()) {
            o.putNull("eos_token_id");
        } else if (eos.size() == 1) {
            o.put("eos_token_id", eos.get(0));
        } else {
            ArrayNode a = o.putArray("eos_token_id");
            eos.forEach(a::add);
        }
        o.put("pad_token_id", c.padTokenId());
        o.put("torch_dtype", "float32");
        o.put("use_cache", true);
        return pretty(o);
    }

    static String pretty(JsonNode node) {
        // "key": value, as Python's json.dumps(indent=2) writes it
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(
                Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        try {
            return Safetensors.JSON.writer(printer).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unrepresentable(ModelConfig c) {
        return switch (c.modelType()) {
            case "llama" -> c.qkvBias() && !c.attentionBias()
                    ? "llama's attention_bias puts biases on q, k, v and o; q/k/v-only biases are qwen2's"
                    : c.slidingWindow() != null ? "llama has no sliding_window" : null;
            case "mistral" -> c.attentionBias() || c.qkvBias() ? "mistral has no attention biases" : null;
            case "qwen2" -> !c.qkvBias() || c.attentionBias()
                    ? "qwen2 always has q/k/v biases and no o_proj bias (qkvBias=true, attentionBias=false)"
                    : null;
            default -> "unknown model_type";
        };
    }

    // ---- parsing

    private static ModelConfig parse(String text, String where) {
        JsonNode root;
        try {
            root = Safetensors.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(where + " is not a JSON object");
        }
        try {
            return parse(new Keys(root, where, ""), root, where);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig parse(Keys k, JsonNode root, String where) {
        String type = k.requiredString("model_type");
        if (!ModelConfig.SUPPORTED_MODEL_TYPES.contains(type)) {
            throw k.error("model_type '" + type + "' is not supported; supported: "
                    + ModelConfig.SUPPORTED_MODEL_TYPES);
        }
        if (k.optBool("mlp_bias", false)) {
            throw k.error("mlp_bias=true is not supported");
        }
        int vocab = k.requiredInt("vocab_size");
        int hidden = k.requiredInt("hidden_size");
        int inter = k.requiredInt("intermediate_size");
        int layers = k.requiredInt("num_hidden_layers");
        int heads = k.requiredInt("num_attention_heads");
        Integer kvHeads = k.optInt("num_key_value_heads");
        Integer headDim = k.optInt("head_dim");
        double eps = k.optDouble("rms_norm_eps", 1e-6);

        // transformers v5 moves rope_theta and the scaling into rope_parameters
        Keys ropeParams = k.optObject("rope_parameters");
        double theta = k.optDouble("rope_theta", ropeParams != null ? ropeParams.optDouble("rope_theta", 10000)
                : 10000);
        Keys scaling = k.optObject("rope_scaling");
        RopeScaling rope = ropeScaling(scaling != null ? scaling : ropeParams);

        Integer maxPos = k.optInt("max_position_embeddings");
        boolean tie = k.optBool("tie_word_embeddings", false);
        boolean attentionBias = "llama".equals(type) && k.optBool("attention_bias", false);
        boolean qkvBias = "qwen2".equals(type);
        Integer window = slidingWindow(type, k, root, layers);
        Integer bos = k.optInt("bos_token_id");
        List<Integer> eos = k.optIntOrList("eos_token_id");
        Integer pad = k.optInt("pad_token_id");
        return new ModelConfig(type, vocab, hidden, inter, layers, heads, kvHeads != null ? kvHeads : heads,
                headDim != null ? headDim : (heads > 0 ? hidden / heads : 0), eps, theta, rope,
                maxPos != null ? maxPos : DEFAULT_MAX_POSITIONS.get(type), tie, attentionBias, qkvBias, window,
                bos, eos, pad);
    }

    private static RopeScaling ropeScaling(Keys r) {
        if (r == null) {
            return null;
        }
        String type = r.optString("rope_type");
        if (type == null) {
            type = r.optString("type");
        }
        if (type == null) {
            String section = r.prefix().substring(0, r.prefix().length() - 1);
            throw r.error(section + " has neither 'rope_type' nor 'type'");
        }
        return switch (type) {
            case "default" -> null;
            case "linear" -> RopeScaling.linear(r.requiredDouble("factor"));
            case "llama3" -> RopeScaling.llama3(r.requiredDouble("factor"), r.requiredDouble("low_freq_factor"),
                    r.requiredDouble("high_freq_factor"), r.requiredInt("original_max_position_embeddings"));
            default -> throw r.error(r.prefix() + "rope_type '" + type
                    + "' is not supported; supported: linear, llama3");
        };
    }

    private static Integer slidingWindow(String type, Keys k, JsonNode root, int layers) {
        switch (type) {
            case "mistral":
                return root.has("sliding_window") ? k.optInt("sliding_window") : (Integer) DEFAULT_SLIDING_WINDOW;
            case "qwen2": {
                if (!k.optBool("use_sliding_window", false)) {
                    return null;
                }
                Integer window = root.has("sliding_window") ? k.optInt("sliding_window")
                        : (Integer) DEFAULT_SLIDING_WINDOW;
                if (window == null) {
                    return null;
                }
                // Qwen2 windows only layers i >= max_window_layers (or those listed in layer_types)
                int sliding = 0;
                JsonNode types = root.get("layer_types");
                if (types != null && !types.isNull()) {
                    if (!types.isArray() || types.size() != layers) {
                        throw k.error("key 'layer_types' must be a list of " + layers + " strings, got " + types);
                    }
                    for (JsonNode t : types) {
                        if ("sliding_attention".equals(t.asText())) {
                            sliding++;
                        }
                    }
                } else {
                    Integer mwl = k.optInt("max_window_layers");
                    int first = mwl != null ? mwl : DEFAULT_MAX_WINDOW_LAYERS;
                    sliding = Math.max(0, layers - Math.max(0, first));
                }
                if (sliding == 0) {
                    return null;
                }
                if (sliding != layers) {
                    throw k.error("use_sliding_window=true with a window on " + sliding + " of " + layers
                            + " layers (max_window_layers / layer_types) is not supported; only all or none");
                }
                return window;
            }
            default:
                return null;
        }
    }

    /** Typed access to one JSON object's keys; absent and null are the same, as in transformers. */
    private record Keys(JsonNode node, String where, String prefix) {
        CheckpointException error(String message) {
            return new CheckpointException(where + ": " + message);
        }

        private JsonNode get(String key) {
            JsonNode n = node.get(key);
            return n == null || n.isNull() ? null : n;
        }

        private CheckpointException wrongType(String key, String expected, JsonNode n) {
            String shown = n.toString();
            if (shown.length() > 80) {
                shown = shown.substring(0, 77) + "...";
            }
            return error("key '" + prefix + key + "' must be " + expected + ", got "
                    + n.getNodeType().name().toLowerCase() + " " + shown);
        }

        private CheckpointException missing(String key) {
            return error("missing required key '" + prefix + key + "'");
        }

        String requiredString(String key) {
            String s = optString(key);
            if (s == null) {
                throw missing(key);
            }
            return s;
        }

        String optString(String key) {
            JsonNode n = get(key);
            if (n == null) {
                return null;
            }
            if (!n.isTextual()) {
                throw wrongType(key, "a string", n);
            }
            return n.textValue();
        }

        int requiredInt(String key) {
            Integer v = optInt(key);
            if (v == null) {
                throw missing(key);
            }
            return v;
        }

        Integer optInt(String key) {
            JsonNode n = get(key);
            return n == null ? null : asInt(key, n);
        }

        private int asInt(String key, JsonNode n) {
            // 4096.0 is accepted: some exporters write whole numbers as floats
            if (n.isIntegralNumber() && n.canConvertToInt()) {
                return n.intValue();
            }
            if (n.isFloatingPointNumber() && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                return (int) n.doubleValue();
            }
            throw wrongType(key, "an integer", n);
        }

        double requiredDouble(String key) {
            JsonNode n = get(key);
            if (n == null) {
                throw missing(key);
            }
            return optDouble(key, 0);
        }

        double optDouble(String key, double fallback) {
            JsonNode n = get(key);
            if (n == null) {
                return fallback;
            }
            if (!n.isNumber()) {
                throw wrongType(key, "a number", n);
            }
            return n.doubleValue();
        }

        boolean optBool(String key, boolean fallback) {
            JsonNode n = get(key);
            if (n == null) {
                return fallback;
            }
            if (!n.isBoolean()) {
                throw wrongType(key, "true or false", n);
            }
            return n.booleanValue();
        }

        List<Integer> optIntOrList(String key) {
            JsonNode n = get(key);
            if (n == null) {
                return List.of();
            }
            if (!n.isArray()) {
                return List.of(asInt(key, n));
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode v : n) {
                if (v.isNull()) {
                    throw wrongType(key, "an integer or a list of integers", n);
                }
                out.add(asInt(key, v));
            }
            return out;
        }

        Keys optObject(String key) {
            JsonNode n = get(key);
            if (n == null) {
                return null;
            }
            if (!n.isObject()) {
                throw wrongType(key, "an object or null", n);
            }
            return new Keys(n, where, prefix + key + ".");
        }
    }
}
