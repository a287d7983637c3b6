package org.immunobench.lm.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.lm.CausalLm;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A safetensors file larger than 2 GiB, without writing 2 GiB: the file is sparse. Its first tensor is a 2.4 GB
 * float32 {@code rotary_emb.inv_freq} buffer (a name checkpoints may carry and loading ignores) that is never
 * written, so the file system stores a hole; every real tensor follows it, at file offsets beyond 2^31. Loading
 * must reach them through long offsets and give exactly the weights that were written.
 */
class LargeFileTest {
    private static final long HOLE_FLOATS = 600_000_000L; // 2.4e9 bytes, past Integer.MAX_VALUE

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    @Test
    void tensorsPastTwoGibibytesLoadExactly() throws IOException {
        ModelConfig c = TinyModels.llama();
        Map<String, HostTensor> tensors = RandomInit.weights(c, 77, 0.2);
        Path ckpt = dir.resolve("big");
        Files.createDirectories(ckpt);
        Files.writeString(ckpt.resolve(CheckpointReader.CONFIG), ModelConfigJson.toJson(c));
        Path file = ckpt.resolve(CheckpointReader.SINGLE_FILE);
        String hole = "model.layers.0.self_attn." + TensorLayout.ROTARY_INV_FREQ_SUFFIX;
        writeSparse(file, hole, tensors);
        assertTrue(Files.size(file) > (1L << 31) + 1_000_000, "file size " + Files.size(file));
        System.out.printf("sparse safetensors file: %d bytes, real tensors from offset %d%n", Files.size(file),
                HOLE_FLOATS * 4);

        try (Safetensors.Reader reader = Safetensors.open(file)) {
            String last = "lm_head.weight";
            assertTrue(reader.dataPosition(last) > Integer.MAX_VALUE, "offset " + reader.dataPosition(last));
            assertArrayEquals(tensors.get(last).data(), reader.read(last).data());
        }
        int[][] toks = {{2, 9, 14, 30, 31, 5}};
        try (LlamaWeights expected = LlamaWeights.fromHost(c, tensors, ai.djl.Device.cpu());
                CausalLm streamed = CausalLm.load(ckpt, RuntimeOptions.cpu());
                CausalLm bf16 = CausalLm.load(ckpt, RuntimeOptions.cpu().withDtype(ComputeDtype.BF16))) {
            assertEquals(c, streamed.config());
            assertArrayEquals(Forwards.logits(expected, toks, null)[0][5],
                    Forwards.logits(streamed.weights(), toks, null)[0][5]);
            Map<String, HostTensor> back = streamed.weights().toHost();
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                assertArrayEquals(e.getValue().data(), back.get(e.getKey()).data(), e.getKey());
            }
            assertEquals(ComputeDtype.BF16, bf16.weights().dtype());
        }
    }

    /** Header {hole: F32 [HOLE_FLOATS] at [0, 4·HOLE_FLOATS), then every tensor as F32}, data written after the hole. */
    private static void writeSparse(Path file, String hole, Map<String, HostTensor> tensors) throws IOException {
        ObjectNode root = Safetensors.JSON.createObjectNode();
        root.putObject(Safetensors.METADATA_KEY).put("format", "pt");
        ObjectNode h = root.putObject(hole);
        h.put("dtype", "F32");
        h.putArray("shape").add(HOLE_FLOATS);
        long offset = HOLE_FLOATS * 4;
        h.putArray("data_offsets").add(0L).add(offset);
        for (HostTensor t : tensors.values()) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", "F32");
            for (long d : t.shape()) {
                e.withArray("shape").add(d);
            }
            long bytes = t.numel() * 4;
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Safetensors.JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(header, json.length, padded, (byte) ' ');
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            ch.write(head, 0);
            long pos = 8 + header.length + HOLE_FLOATS * 4;
            for (HostTensor t : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(t.data());
                while (data.hasRemaining()) {
                    pos += ch.write(data, pos);
                }
            }
        }
    }
}
