package org.immunobench.lm.checkpoint;

import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.ModelConfig.RopeScaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigJsonTest {
    @TempDir
    Path tmp;

    static ModelConfig llama3() {
        return new ModelConfig("llama", 32, 16, 24, 2, 4, 2, 4, 1e-5, 500000.0,
                RopeScaling.llama3(8.0, 1.0, 4.0, 8192), 131072, false, false, false, null, 1, List.of(2, 3), null);
    }

    static ModelConfig mistral() {
        return new ModelConfig("mistral", 32, 16, 24, 2, 4, 2, 4, 1e-6, 10000.0, null, 32768, false, false, false,
                4096, 1, List.of(2), null);
    }

    static ModelConfig qwen2Tied() {
        return new ModelConfig("qwen2", 32, 16, 24, 2, 4, 2, 4, 1e-6, 1000000.0, null, 32768, true, false, true,
                null, null, List.of(5), 6);
    }

    private ModelConfig roundTrip(ModelConfig c) {
        Path file = tmp.resolve(c.modelType() + "-config.json");
        ModelConfigJson.write(file, c);
        return ModelConfigJson.read(file);
    }

    @Test
    void roundTripsLlamaWithLlama3RopeScaling() throws IOException {
        ModelConfig c = llama3();
        assertEquals(c, roundTrip(c));
        String text = Files.readString(tmp.resolve("llama-config.json"));
        assertTrue(text.contains("\"architectures\": [") && text.contains("LlamaForCausalLM"), text);
        assertTrue(text.contains("\"rope_type\": \"llama3\""), text);
        assertTrue(text.contains("\"torch_dtype\": \"float32\""), text);
        ModelConfig linear = new ModelConfig("llama", 32, 16, 24, 2, 4, 4, 8, 1e-5, 10000.0,
                RopeScaling.linear(2.0), 4096, true, true, false, null, null, List.of(), 0);
        assertEquals(linear, roundTrip(linear));
    }

    @Test
    void roundTripsMistralWithSlidingWindow() {
        assertEquals(mistral(), roundTrip(mistral()));
        ModelConfig noWindow = new ModelConfig("mistral", 32, 16, 24, 2, 4, 2, 4, 1e-6, 10000.0, null, 32768,
                false, false, false, null, 1, List.of(2), null);
        assertEquals(noWindow, roundTrip(noWindow));
    }

    @Test
    void roundTripsTiedQwen2() {
        assertEquals(qwen2Tied(), roundTrip(qwen2Tied()));
        ModelConfig windowed = new ModelConfig("qwen2", 32, 16, 24, 2, 4, 2, 4, 1e-6, 1000000.0, null, 32768,
                false, false, true, 128, null, List.of(), null);
        assertEquals(windowed, roundTrip(windowed));
    }

    @Test
    void refusesToWriteConfigsHfCannotExpress() {
        ModelConfig bad = new ModelConfig("llama", 32, 16, 24, 2, 4, 2, 4, 1e-5, 1e4, null, 2048, false, false,
                true, null, null, List.of(), null);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigJson.toJson(bad));
        assertTrue(e.getMessage().contains("attention_bias"), e.getMessage());
        ModelConfig qwenWithoutBias = llama3().withModelType("qwen2");
        assertThrows(CheckpointException.class, () -> ModelConfigJson.write(tmp.resolve("q.json"), qwenWithoutBias));
        assertTrue(Files.notExists(tmp.resolve("q.json")));
    }

    /** A config.json as transformers writes it for a Llama-2-style model, with defaults left out. */
    @Test
    void readsHfDefaults() throws IOException {
        ModelConfig c = parse("""
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32,
                 "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "head_dim": null, "hidden_act": "silu", "initializer_range": 0.02, "rope_scaling": null,
                 "eos_token_id": [2, 3], "bos_token_id": 1, "pad_token_id": null, "torch_dtype": "bfloat16",
                 "transformers_version": "4.44.0"}
                """);
        assertEquals(4, c.numKvHeads());
        assertEquals(4, c.headDim());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(2048, c.maxPositionEmbeddings());
        assertEquals(false, c.tieWordEmbeddings());
        assertEquals(false, c.hasQkvBias());
        assertNull(c.slidingWindow());
        assertEquals(List.of(2, 3), c.eosTokenIds());
        assertEquals(1, c.bosTokenId());
        assertNull(c.padTokenId());

        ModelConfig q = parse(minimal("qwen2", ", \"sliding_window\": 4096, \"use_sliding_window\": false"));
        assertTrue(q.qkvBias() && !q.hasOutputBias());
        assertNull(q.slidingWindow());
        assertEquals(32768, q.maxPositionEmbeddings());
        ModelConfig m = parse(minimal("mistral", ", \"eos_token_id\": 2"));
        assertEquals(4096, m.slidingWindow()); // transformers' MistralConfig default when the key is absent
        assertEquals(List.of(2), m.eosTokenIds());
        assertNull(parse(minimal("mistral", ", \"sliding_window\": null")).slidingWindow());
        ModelConfig legacy = parse(minimal("llama", ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 4}"));
        assertEquals(RopeScaling.linear(4), legacy.ropeScaling());
        ModelConfig v5 = parse(minimal("llama",
                ", \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0}"));
        assertEquals(500000.0, v5.ropeTheta());
        assertNull(v5.ropeScaling());
    }

    @Test
    void qwen2SlidingWindowFollowsMaxWindowLayers() throws IOException {
        String on = ", \"use_sliding_window\": true, \"sliding_window\": 64";
        assertEquals(64, parse(minimal("qwen2", on + ", \"max_window_layers\": 0")).slidingWindow());
        // default max_window_layers is 28 >= 2 layers: no layer is windowed
        assertNull(parse(minimal("qwen2", on)).slidingWindow());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> parse(minimal("qwen2", on + ", \"max_window_layers\": 1")));
        assertTrue(e.getMessage().contains("1 of 2 layers"), e.getMessage());
    }

    @Test
    void missingRequiredKey() throws IOException {
        Path file = write("""
                {"model_type": "llama", "vocab_size": 32, "intermediate_size": 24, "num_hidden_layers": 2,
                 "num_attention_heads": 4}
                """);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigJson.read(file));
        assertEquals("config.json at " + file + ": missing required key 'hidden_size'", e.getMessage());
    }

    @Test
    void wrongTypeNamesKey() throws IOException {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", "").replace("\"hidden_size\": 16", "\"hidden_size\": \"16\"")));
        assertTrue(e.getMessage().contains("'hidden_size'") && e.getMessage().contains("integer"), e.getMessage());
        CheckpointException e2 = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", ", \"tie_word_embeddings\": \"yes\"")));
        assertTrue(e2.getMessage().contains("'tie_word_embeddings'"), e2.getMessage());
        CheckpointException e3 = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}")));
        assertTrue(e3.getMessage().contains("'rope_scaling.low_freq_factor'"), e3.getMessage());
    }

    @Test
    void unsupportedArchitectureFeatures() throws IOException {
        CheckpointException type = assertThrows(CheckpointException.class, () -> parse(minimal("gpt2", "")));
        assertTrue(type.getMessage().contains("model_type 'gpt2' is not supported"), type.getMessage());
        assertTrue(type.getMessage().contains("config.json at "), type.getMessage());
        CheckpointException mlp = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", ", \"mlp_bias\": true")));
        assertTrue(mlp.getMessage().endsWith("mlp_bias=true is not supported"), mlp.getMessage());
        CheckpointException rope = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", ", \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2}")));
        assertTrue(rope.getMessage().contains("rope_scaling.rope_type 'dynamic'"), rope.getMessage());
        CheckpointException yarn = assertThrows(CheckpointException.class,
                () -> parse(minimal("qwen2", ", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4}")));
        assertTrue(yarn.getMessage().contains("rope_scaling.rope_type 'yarn'"), yarn.getMessage());
    }

    @Test
    void modelConfigValidationIsWrappedWithTheFile() throws IOException {
        Path file = write(minimal("llama", ", \"num_key_value_heads\": 3"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigJson.read(file));
        assertTrue(e.getMessage().startsWith("config.json at " + file + ": num_attention_heads (4)"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
        CheckpointException eos = assertThrows(CheckpointException.class,
                () -> parse(minimal("llama", ", \"eos_token_id\": 99")));
        assertTrue(eos.getMessage().contains("eos_token_id 99"), eos.getMessage());
        Path bad = write("{not json");
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfigJson.read(bad)).getMessage()
                .contains(bad.toString()));
        Path absent = tmp.resolve("nope/config.json");
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfigJson.read(absent)).getMessage()
                .contains(absent.toString()));
    }

    private static String minimal(String type, String extra) {
        return "{\"model_type\": \"" + type + "\", \"vocab_size\": 32, \"hidden_size\": 16, "
                + "\"intermediate_size\": 24, \"num_hidden_layers\": 2, \"num_attention_heads\": 4" + extra + "}";
    }

    private int files;

    private Path write(String json) throws IOException {
        Path file = tmp.resolve("c" + files++ + ".json");
        Files.writeString(file, json);
        return file;
    }

    private ModelConfig parse(String json) throws IOException {
        return ModelConfigJson.read(write(json));
    }
}
