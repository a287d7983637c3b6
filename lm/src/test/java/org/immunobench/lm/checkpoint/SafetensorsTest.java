package org.immunobench.lm.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path tmp;

    private static HostTensor random(String name, long[] shape, long seed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        Random r = new Random(seed);
        float[] data = new float[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian() * 3;
        }
        return new HostTensor(name, shape, data);
    }

    private static final float[] REPRESENTABLE = {1.5f, -2f, 0.0078125f, 0f, -0f, 1f, 0.5f, -96f, 3.25f};

    private List<HostTensor> sample() {
        return List.of(
                random("z.first", new long[] {3, 5}, 1),
                random("a.second", new long[] {7}, 2),
                new HostTensor("scalar", new long[] {}, new float[] {42.5f}),
                new HostTensor("empty", new long[] {0, 4}, new float[0]),
                new HostTensor("exact", new long[] {REPRESENTABLE.length}, REPRESENTABLE.clone()));
    }

    @Test
    void f32RoundTripIsExactAndKeepsOrderAndMetadata() {
        Path file = tmp.resolve("a.safetensors");
        List<HostTensor> in = sample();
        Safetensors.write(file, in, "F32", Map.of("step", "12"));
        Map<String, HostTensor> out = Safetensors.read(file);
        assertEquals(List.of("z.first", "a.second", "scalar", "empty", "exact"), List.copyOf(out.keySet()));
        for (HostTensor t : in) {
            assertArrayEquals(t.shape(), out.get(t.name()).shape(), t.name());
            assertArrayEquals(t.data(), out.get(t.name()).data(), 0f, t.name());
        }
        assertEquals(Map.of("format", "pt", "step", "12"), Safetensors.readMetadata(file));
        Safetensors.TensorInfo info = Safetensors.readHeader(file).get("a.second");
        assertEquals("F32", info.dtype());
        assertEquals(28, info.byteSize());
    }

    @Test
    void headerIsSpacePaddedToMultipleOf8() throws IOException {
        Path file = tmp.resolve("p.safetensors");
        Safetensors.write(file, sample(), "BF16", null);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}") && header.length() - json.length() < 8, header);
    }

    @Test
    void halfPrecisionRoundTripsWithinTheirPrecisionAndExactWhenRepresentable() {
        for (String dtype : List.of("F16", "BF16")) {
            Path file = tmp.resolve(dtype + ".safetensors");
            List<HostTensor> in = sample();
            Safetensors.write(file, in, dtype, Map.of());
            assertEquals(dtype, Safetensors.readHeader(file).get("z.first").dtype());
            Map<String, HostTensor> out = Safetensors.read(file);
            // relative error bound of round-to-nearest: 2^-11 for F16, 2^-8 for BF16
            double bound = "F16".equals(dtype) ? 0x1p-11 : 0x1p-8;
            double worst = 0;
            for (HostTensor t : in) {
                float[] a = t.data();
                float[] b = out.get(t.name()).data();
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-3));
                }
            }
            System.out.printf("%s round trip: worst relative error %.3e (bound %.3e)%n", dtype, worst, bound);
            assertTrue(worst <= bound, dtype + " worst relative error " + worst);
            assertArrayEquals(REPRESENTABLE, out.get("exact").data(), 0f, dtype);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out.get("exact").data()[4]));
        }
    }

    /** A file assembled by hand, independent of our writer: F16, BF16, F64 and F32 bytes with known values. */
    @Test
    void readsHandMadeFileOfMixedDtypes() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 4 + 2 * 2 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0x0001).putShort((short) 0x7C00).putShort((short) 0x7E00);
        data.putShort((short) 0x3F80).putShort((short) 0xC000);
        data.putDouble(0.1);
        data.putFloat(-7.25f);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[12,20]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[20,24]}}";
        Path file = rawFile("hand.safetensors", header, data.array());
        Map<String, HostTensor> t = Safetensors.read(file);
        assertEquals(List.of("h", "b", "d", "f"), List.copyOf(t.keySet()));
        float[] h = t.get("h").data();
        assertEquals(1.0f, h[0]);
        assertEquals(5.9604645e-8f, h[1]);
        assertEquals(Float.POSITIVE_INFINITY, h[2]);
        assertTrue(Float.isNaN(h[3]));
        assertArrayEquals(new float[] {1.0f, -2.0f}, t.get("b").data());
        assertEquals(0.1f, t.get("d").data()[0]);
        assertEquals(-7.25f, t.get("f").data()[0]);
        assertArrayEquals(new long[] {2, 2}, t.get("h").shape());

        Map<String, HostTensor> subset = Safetensors.read(file, Set.of("d", "h"));
        assertEquals(List.of("h", "d"), List.copyOf(subset.keySet()));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Safetensors.read(file, Set.of("h", "nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void truncatedFileNamesTensorAndByteRange() throws IOException {
        Path file = tmp.resolve("t.safetensors");
        Safetensors.write(file, sample(), "F32", Map.of());
        long size = Files.size(file);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) size - 10));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(cut));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith("file " + cut + " is truncated: tensor exact needs bytes ["),
                e.getMessage());
        assertTrue(e.getMessage().contains("but data section has"), e.getMessage());
        // header-only inspection fails the same way: offsets are checked against the file size
        assertThrows(CheckpointException.class, () -> Safetensors.readHeader(cut));
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1000).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        Path file = tmp.resolve("big.safetensors");
        Files.write(file, b.array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("header length 1000")
                && e.getMessage().contains("larger than the file"), e.getMessage());

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(CheckpointException.class, () -> Safetensors.readHeader(tiny));
    }

    @Test
    void unsupportedDtypeNamesTensorAndDtype() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"position_ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[4,20]}}";
        Path file = rawFile("i64.safetensors", header, new byte[20]);
        assertEquals("I64", Safetensors.readHeader(file).get("position_ids").dtype());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains("position_ids") && e.getMessage().contains("I64")
                && e.getMessage().contains(file.toString()), e.getMessage());
        // loading only the float tensor works
        assertEquals(1, Safetensors.read(file, Set.of("w")).size());

        Path weird = rawFile("weird.safetensors", "{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                new byte[1]);
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> Safetensors.readHeader(weird));
        assertTrue(e2.getMessage().contains("Q4") && e2.getMessage().contains("tensor w"), e2.getMessage());
    }

    @Test
    void inconsistentOffsetsAndBadHeaders() throws IOException {
        Path wrongSpan = rawFile("span.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[16]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(wrongSpan));
        assertTrue(e.getMessage().contains("tensor w") && e.getMessage().contains("needs 16"), e.getMessage());

        Path notJson = rawFile("nj.safetensors", "{\"w\": oops}", new byte[0]);
        assertThrows(CheckpointException.class, () -> Safetensors.read(notJson));
        Path dup = rawFile("dup.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThrows(CheckpointException.class, () -> Safetensors.read(dup));
        Path negative = rawFile("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                new byte[4]);
        assertThrows(CheckpointException.class, () -> Safetensors.read(negative));
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> Safetensors.read(tmp.resolve("absent.safetensors")));
        assertTrue(missing.getMessage().contains("absent.safetensors"), missing.getMessage());
    }

    @Test
    void writeRejectsBadInputAndLeavesNoTempFile() throws IOException {
        Path file = tmp.resolve("x.safetensors");
        assertThrows(CheckpointException.class,
                () -> Safetensors.write(file, sample(), "I64", Map.of()));
        HostTensor a = new HostTensor("a", new long[] {1}, new float[] {1});
        assertThrows(CheckpointException.class, () -> Safetensors.write(file, List.of(a, a), "F32", Map.of()));
        Safetensors.write(file, List.of(a), "F32", Map.of());
        Safetensors.write(file, List.of(a, new HostTensor("b", new long[] {1}, new float[] {2})), "F32", Map.of());
        assertEquals(2, Safetensors.read(file).size());
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    /** Crosses the 4 MiB read/write chunk boundary with an element count that is not a chunk multiple. */
    @Test
    void tensorsLargerThanOneChunk() {
        Path file = tmp.resolve("big.safetensors");
        HostTensor big = random("big", new long[] {3, 700_001}, 9);
        Safetensors.write(file, List.of(new HostTensor("pad", new long[] {3}, new float[3]), big), "F32", Map.of());
        assertArrayEquals(big.data(), Safetensors.read(file).get("big").data(), 0f);
        Safetensors.write(file, List.of(big), "BF16", Map.of());
        float[] back = Safetensors.read(file).get("big").data();
        for (int i = 0; i < back.length; i++) {
            assertEquals(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(big.data()[i])), back[i], 0f);
        }
    }

    /** Offsets past 2 GiB: a sparse file whose second tensor starts after a 2^31 + 8 byte first one. */
    @Test
    void readsTensorBeyondTwoGibibytes() throws IOException {
        long pad = (1L << 31) + 8;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + pad + "," + (pad + 8) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("sparse.safetensors");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.SPARSE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
            ch.write(head.putLong(h.length).put(h).flip());
            ByteBuffer w = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f).flip();
            ch.write(w, 8 + h.length + pad);
        }
        assertEquals(8 + h.length + pad + 8, Files.size(file));
        assertArrayEquals(new float[] {1.5f, -3f}, Safetensors.read(file, Set.of("w")).get("w").data());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains("pad") && e.getMessage().contains("U8"), e.getMessage());
    }

    private Path rawFile(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = tmp.resolve(name);
        Files.write(file, b.array());
        return file;
    }
}
