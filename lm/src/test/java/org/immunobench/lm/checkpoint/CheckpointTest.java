package org.immunobench.lm.checkpoint;

import org.immunobench.lm.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path tmp;

    /** V=32, D=16, I=24, L=2, H=4, Hkv=2. */
    static ModelConfig small() {
        return ModelConfig.llama(32, 16, 24, 2, 4, 2, 128).withSpecialTokens(1, List.of(2), 0);
    }

    static Map<String, HostTensor> tensors(ModelConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TensorLayout.expected(c).entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            float[] data = new float[(int) n];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), e.getValue(), data));
        }
        return out;
    }

    private static void assertSameTensors(Map<String, HostTensor> expected, Map<String, HostTensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (HostTensor t : expected.values()) {
            assertArrayEquals(t.shape(), actual.get(t.name()).shape(), t.name());
            assertArrayEquals(t.data(), actual.get(t.name()).data(), 0f, t.name());
        }
    }

    private static void assertMessage(CheckpointException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void layoutNamesAndShapes() {
        Map<String, long[]> plain = TensorLayout.expected(small());
        assertEquals(1 + 2 * 9 + 1 + 1, plain.size());
        assertArrayEquals(new long[] {32, 16}, plain.get("model.embed_tokens.weight"));
        assertArrayEquals(new long[] {16, 16}, plain.get("model.layers.0.self_attn.q_proj.weight"));
        assertArrayEquals(new long[] {8, 16}, plain.get("model.layers.1.self_attn.k_proj.weight"));
        assertArrayEquals(new long[] {8, 16}, plain.get("model.layers.1.self_attn.v_proj.weight"));
        assertArrayEquals(new long[] {16, 16}, plain.get("model.layers.1.self_attn.o_proj.weight"));
        assertArrayEquals(new long[] {24, 16}, plain.get("model.layers.0.mlp.gate_proj.weight"));
        assertArrayEquals(new long[] {24, 16}, plain.get("model.layers.0.mlp.up_proj.weight"));
        assertArrayEquals(new long[] {16, 24}, plain.get("model.layers.0.mlp.down_proj.weight"));
        assertArrayEquals(new long[] {16}, plain.get("model.layers.0.post_attention_layernorm.weight"));
        assertArrayEquals(new long[] {16}, plain.get("model.norm.weight"));
        assertArrayEquals(new long[] {32, 16}, plain.get("lm_head.weight"));
        long params = plain.values().stream().mapToLong(s -> s.length == 1 ? s[0] : s[0] * s[1]).sum();
        assertEquals(small().parameterCount(), params);

        ModelConfig qwen = ModelConfigJsonTest.qwen2Tied();
        Map<String, long[]> q = TensorLayout.expected(qwen);
        assertArrayEquals(new long[] {16}, q.get("model.layers.0.self_attn.q_proj.bias"));
        assertArrayEquals(new long[] {8}, q.get("model.layers.0.self_attn.k_proj.bias"));
        assertFalse(q.containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse(q.containsKey("lm_head.weight"));
        long qParams = q.values().stream().mapToLong(s -> s.length == 1 ? s[0] : s[0] * s[1]).sum();
        assertEquals(qwen.parameterCount(), qParams);
        assertEquals("model.layers.3.", TensorLayout.layerPrefix(3));
        assertEquals("model.layers.3.mlp.up_proj.weight", TensorLayout.layer(3, TensorLayout.UP_PROJ));
    }

    @Test
    void writeThenReadRoundTrip() throws IOException {
        ModelConfig c = small();
        Map<String, HostTensor> w = tensors(c, 1);
        Path tokenizer = Files.writeString(tmp.resolve("tok.json"), "{\"model\": {}}");
        Path dir = tmp.resolve("ckpt");
        CheckpointWriter.write(dir, c, w, tokenizer, "F32");
        CheckpointReader.LoadedCheckpoint ck = CheckpointReader.read(dir);
        assertEquals(c, ck.config());
        assertSameTensors(w, ck.tensors());
        assertEquals(dir.resolve("tokenizer.json"), ck.tokenizerJson());
        assertEquals("{\"model\": {}}", Files.readString(ck.tokenizerJson()));
        String gen = Files.readString(dir.resolve("generation_config.json"));
        assertTrue(gen.contains("\"bos_token_id\": 1") && gen.contains("\"eos_token_id\": 2"), gen);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("ckpt", "tok.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }

        // a second save replaces the checkpoint; no tokenizer this time
        Map<String, HostTensor> w2 = tensors(c, 2);
        CheckpointWriter.write(dir, c, w2, null, "F32");
        CheckpointReader.LoadedCheckpoint ck2 = CheckpointReader.read(dir);
        assertSameTensors(w2, ck2.tensors());
        assertNull(ck2.tokenizerJson());
    }

    @Test
    void halfPrecisionCheckpoint() {
        ModelConfig c = small();
        Map<String, HostTensor> w = tensors(c, 3);
        Path dir = tmp.resolve("bf16");
        CheckpointWriter.write(dir, c, w, null, "BF16");
        assertEquals("BF16", Safetensors.readHeader(dir.resolve("model.safetensors")).get("model.norm.weight").dtype());
        Map<String, HostTensor> back = CheckpointReader.read(dir).tensors();
        for (HostTensor t : w.values()) {
            float[] a = t.data();
            float[] b = back.get(t.name()).data();
            for (int i = 0; i < a.length; i++) {
                assertEquals(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(a[i])), b[i], 0f, t.name());
            }
        }
    }

    @Test
    void shardedEqualsUnsharded() throws IOException {
        ModelConfig c = small();
        Map<String, HostTensor> w = tensors(c, 4);
        Path single = tmp.resolve("single");
        Path sharded = tmp.resolve("sharded");
        CheckpointWriter.write(single, c, w, null, "F32");
        CheckpointWriter.write(sharded, c, w, null, "F32", 3000);
        assertFalse(Files.exists(sharded.resolve("model.safetensors")));
        String index = Files.readString(sharded.resolve("model.safetensors.index.json"));
        long total = w.values().stream().mapToLong(t -> 4 * t.numel()).sum();
        assertTrue(index.contains("\"total_size\": " + total), index);
        List<String> shards;
        try (Stream<Path> s = Files.list(sharded)) {
            shards = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("model-")).sorted().toList();
        }
        assertTrue(shards.size() > 2, shards.toString());
        assertEquals(String.format("model-00001-of-%05d.safetensors", shards.size()), shards.get(0));
        assertTrue(index.contains("\"model.embed_tokens.weight\": \"model-00001-of-"), index);
        CheckpointReader.LoadedCheckpoint a = CheckpointReader.read(single);
        CheckpointReader.LoadedCheckpoint b = CheckpointReader.read(sharded);
        assertEquals(a.config(), b.config());
        assertSameTensors(a.tensors(), b.tensors());
        assertSameTensors(w, b.tensors());

        // everything fitting in one shard is written as plain model.safetensors
        Path big = tmp.resolve("one");
        CheckpointWriter.write(big, c, w, null, "F32", 1L << 30);
        assertTrue(Files.exists(big.resolve("model.safetensors")));
        assertFalse(Files.exists(big.resolve("model.safetensors.index.json")));
    }

    @Test
    void missingShardFile() throws IOException {
        Path dir = tmp.resolve("sharded");
        CheckpointWriter.write(dir, small(), tensors(small(), 5), null, "F32", 3000);
        Path second = dir.resolve(String.format("model-00002-of-%05d.safetensors", shardCount(dir)));
        Files.delete(second);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertMessage(e, "model.safetensors.index.json", second.getFileName().toString(), "do not exist");
    }

    @Test
    void indexNamingTensorNotInShard() throws IOException {
        Path dir = tmp.resolve("sharded");
        CheckpointWriter.write(dir, small(), tensors(small(), 6), null, "F32", 3000);
        Path index = dir.resolve("model.safetensors.index.json");
        String first = String.format("model-00001-of-%05d.safetensors", shardCount(dir));
        String text = Files.readString(index);
        // point the final norm (written last) at the first shard
        String moved = text.replaceAll("(\"model\\.norm\\.weight\": \")[^\"]+\"", "$1" + first + "\"");
        assertFalse(moved.equals(text));
        Files.writeString(index, moved);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertMessage(e, "tensor model.norm.weight is mapped to " + first, dir.resolve(first) + " does not contain it");
    }

    @Test
    void missingTensor() {
        ModelConfig c = small();
        Path dir = tmp.resolve("ck");
        CheckpointWriter.write(dir, c, tensors(c, 7), null, "F32");
        Map<String, HostTensor> w = tensors(c, 7);
        w.remove("model.layers.1.mlp.up_proj.weight");
        w.remove("model.norm.weight");
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, w.values(), "F32", Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertMessage(e, dir.toString(), "missing tensors: [model.layers.1.mlp.up_proj.weight, model.norm.weight]");

        CheckpointException writing = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(tmp.resolve("w"), c, w, null, "F32"));
        assertMessage(writing, "missing tensors: [model.layers.1.mlp.up_proj.weight, model.norm.weight]");
        assertFalse(Files.exists(tmp.resolve("w")));
    }

    @Test
    void unexpectedTensorReportedWithMissingOnes() {
        ModelConfig c = small();
        Path dir = tmp.resolve("ck");
        CheckpointWriter.write(dir, c, tensors(c, 8), null, "F32");
        List<HostTensor> w = new ArrayList<>(tensors(c, 8).values());
        w.removeIf(t -> t.name().equals("model.layers.0.input_layernorm.weight"));
        w.add(new HostTensor("model.layers.0.self_attn.q_proj.bias", new long[] {16}, new float[16]));
        Safetensors.write(dir.resolve("model.safetensors"), w, "F32", Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertMessage(e, "missing tensors: [model.layers.0.input_layernorm.weight]",
                "unexpected tensors: [model.layers.0.self_attn.q_proj.bias]");
    }

    @Test
    void wrongShapeNamesTensorFileAndShapes() {
        ModelConfig c = small();
        Path dir = tmp.resolve("ck");
        CheckpointWriter.write(dir, c, tensors(c, 9), null, "F32");
        Map<String, HostTensor> w = tensors(c, 9);
        String k = "model.layers.0.self_attn.k_proj.weight";
        w.put(k, new HostTensor(k, new long[] {16, 16}, new float[256]));
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, w.values(), "F32", Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertMessage(e, "tensor " + k + " in " + file + " has shape [16, 16], expected [8, 16] from config.json");

        CheckpointException writing = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(tmp.resolve("w"), c, w, null, "F32"));
        assertMessage(writing, "tensor " + k, "[16, 16], expected [8, 16]", tmp.resolve("w").toString());
    }

    @Test
    void tiedLmHeadInFileIsDroppedAndInvFreqIgnored() {
        ModelConfig c = ModelConfigJsonTest.qwen2Tied();
        Map<String, HostTensor> w = tensors(c, 10);
        Path dir = tmp.resolve("ck");
        CheckpointWriter.write(dir, c, w, null, "F32");
        List<HostTensor> extra = new ArrayList<>(w.values());
        extra.add(new HostTensor("lm_head.weight", new long[] {32, 16}, w.get("model.embed_tokens.weight").data()));
        extra.add(new HostTensor("model.layers.0.self_attn.rotary_emb.inv_freq", new long[] {2}, new float[2]));
        Safetensors.write(dir.resolve("model.safetensors"), extra, "F32", Map.of());
        CheckpointReader.LoadedCheckpoint ck = CheckpointReader.read(dir);
        assertSameTensors(w, ck.tensors());
        assertFalse(ck.tensors().containsKey("lm_head.weight"));

        // untied: lm_head is required
        Map<String, HostTensor> untied = tensors(small(), 11);
        untied.remove("lm_head.weight");
        assertThrows(CheckpointException.class, () -> CheckpointWriter.write(tmp.resolve("u"), small(), untied,
                null, "F32"));
    }

    @Test
    void unloadableDirectories() throws IOException {
        Path absent = tmp.resolve("absent");
        assertMessage(assertThrows(CheckpointException.class, () -> CheckpointReader.read(absent)),
                absent.toString(), "does not exist");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertMessage(assertThrows(CheckpointException.class, () -> CheckpointReader.read(empty)),
                empty.toString(), "config.json");
        Path noWeights = Files.createDirectory(tmp.resolve("noweights"));
        ModelConfigJson.write(noWeights.resolve("config.json"), small());
        Files.writeString(noWeights.resolve("pytorch_model.bin"), "pickle");
        assertMessage(assertThrows(CheckpointException.class, () -> CheckpointReader.read(noWeights)),
                noWeights.toString(), "model.safetensors", "pytorch_model.bin");
    }

    @Test
    void writerRefusesForeignDirectoriesAndBadArguments() throws IOException {
        Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "keep me");
        ModelConfig c = small();
        Map<String, HostTensor> w = tensors(c, 12);
        assertMessage(assertThrows(CheckpointException.class, () -> CheckpointWriter.write(foreign, c, w, null,
                "F32")), foreign.toString(), "not an empty directory");
        assertEquals("keep me", Files.readString(foreign.resolve("notes.txt")));
        assertThrows(CheckpointException.class, () -> CheckpointWriter.write(tmp.resolve("x"), c, w, null, "F64"));
        assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(tmp.resolve("x"), c, w, tmp.resolve("no-tokenizer.json"), "F32"));
        // an existing empty directory (e.g. a @TempDir) is fine
        Path emptyTarget = Files.createDirectory(tmp.resolve("target"));
        CheckpointWriter.write(emptyTarget, c, w, null, "F16");
        assertEquals(c, CheckpointReader.read(emptyTarget).config());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("foreign", "target"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static int shardCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith("model-")).count();
        }
    }
}
