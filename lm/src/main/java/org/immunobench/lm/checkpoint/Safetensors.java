package org.immunobench.lm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format in pure Java: an 8-byte little-endian header length N, N bytes of JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end)}}} (offsets relative to the data section, optional
 * {@code __metadata__} string map), then raw little-endian tensor data.
 *
 * <p>Not DJL's codec (docs/engine-notes.md, BF16): that one reads a whole file into one {@code byte[]} (so &lt; 2 GiB),
 * writes keys in hash order and hands BF16 to the engine, which aborts the JVM. Here tensors are read in chunks through
 * a {@link FileChannel} at long offsets and widened to float32 on the host ({@link Reader#stream}); only
 * {@link Reader#read}, which returns a Java array, limits one tensor to 2^31 elements. Nothing here touches an
 * engine.
 */
public final class Safetensors {
    public static final String METADATA_KEY = "__metadata__";
    /** The dtypes {@link #read} widens or narrows to float32. */
    public static final List<String> FLOAT_DTYPES = List.of("F32", "F16", "BF16", "F64");
    /** The dtypes {@link #write} produces. */
    public static final List<String> WRITE_DTYPES = List.of("F32", "F16", "BF16");

    /** HF's own limit; a larger header means a corrupt or foreign file, not a model. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Bytes per write chunk; a multiple of 8, so chunk boundaries never split an element. */
    private static final int CHUNK_BYTES = 1 << 22;
    /** Values per read chunk (4 MiB as float32). */
    public static final int CHUNK_ELEMENTS = 1 << 20;
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Safetensors() {
    }

    /**
     * One header entry. {@code begin}/{@code end} are byte offsets into the data section, as in the file.
     */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long byteSize() {
            return end - begin;
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
        }
    }

    private record Header(long dataStart, long dataSize, LinkedHashMap<String, TensorInfo> tensors,
            LinkedHashMap<String, String> metadata) {
    }

    /** Byte width of a safetensors dtype, or -1 if the name is not a safetensors dtype. */
    public static int dtypeBytes(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64" -> 8;
            default -> -1;
        };
    }

    /** Header entries in file order, validated against the file size, without reading tensor data. */
    public static Map<String, TensorInfo> readHeader(Path file) {
        try (FileChannel ch = openChannel(file)) {
            return parseHeader(file, ch).tensors();
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** The {@code __metadata__} map (empty when absent). */
    public static Map<String, String> readMetadata(Path file) {
        try (FileChannel ch = openChannel(file)) {
            return parseHeader(file, ch).metadata();
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** Every tensor, as float32, in header order. */
    public static Map<String, HostTensor> read(Path file) {
        return read(file, null);
    }

    /**
     * The named tensors (all when {@code names} is null), as float32, in header order. A name that the file
     * lacks is an error. Each tensor becomes one Java array: for whole models prefer {@link #open} and
     * {@link Reader#stream}, which never hold more than a chunk on the heap.
     */
    public static Map<String, HostTensor> read(Path file, Set<String> names) {
        try (Reader reader = open(file)) {
            if (names != null) {
                List<String> absent = new ArrayList<>();
                for (String n : names) {
                    if (!reader.tensors().containsKey(n)) {
                        absent.add(n);
                    }
                }
                if (!absent.isEmpty()) {
                    throw new CheckpointException("file " + file + " has no tensors " + absent);
                }
            }
            LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
            for (TensorInfo info : reader.tensors().values()) {
                if (names == null || names.contains(info.name())) {
                    out.put(info.name(), reader.read(info.name()));
                }
            }
            return out;
        }
    }

    /** Opens a file for tensor-by-tensor reading; the header is parsed and checked against the file size. */
    public static Reader open(Path file) {
        FileChannel ch = null;
        try {
            ch = openChannel(file);
            return new Reader(file, ch, parseHeader(file, ch));
        } catch (IOException e) {
            closeQuietly(ch);
            throw ioError(file, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Receives a tensor's values widened to float32, in order, one chunk at a time. */
    @FunctionalInterface
    public interface ChunkSink {
        /**
         * @param values direct little-endian buffer of {@code count} float32 values (position 0, limit
         *     {@code 4 * count}); reused for the next chunk, so copy what you keep before returning
         * @param offset index of the first value within the tensor (row-major)
         */
        void accept(ByteBuffer values, long offset, int count);
    }

    /**
     * An open safetensors file. Tensors are read at {@code long} file offsets through positional reads into two
     * direct buffers of a few MiB (raw bytes, and float32 after widening), so files larger than 2 GiB work and the
     * Java heap holds no tensor data. Not thread-safe.
     */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final Header header;
        private ByteBuffer raw;
        private ByteBuffer floats;

        private Reader(Path file, FileChannel channel, Header header) {
            this.file = file;
            this.channel = channel;
            this.header = header;
        }

        public Path file() {
            return file;
        }

        /** Header entries in file order. */
        public Map<String, TensorInfo> tensors() {
            return java.util.Collections.unmodifiableMap(header.tensors());
        }

        /** The {@code __metadata__} map (empty when absent). */
        public Map<String, String> metadata() {
            return java.util.Collections.unmodifiableMap(header.metadata());
        }

        /** Absolute file position of the first byte of {@code name}'s data. */
        public long dataPosition(String name) {
            return header.dataStart() + info(name).begin();
        }

        /** One tensor as a Java float array (at most 2^31 − 9 elements). */
        public HostTensor read(String name) {
            TensorInfo info = info(name);
            checkLoadable(file, info);
            if (info.numel() > MAX_ELEMENTS) {
                throw new CheckpointException("file " + file + ": tensor " + info.name() + " has " + info.numel()
                        + " elements; a Java array holds at most " + MAX_ELEMENTS + " (stream it instead)");
            }
            float[] out = new float[(int) info.numel()];
            stream(name, (values, offset, count) -> values.asFloatBuffer().get(out, (int) offset, count));
            return new HostTensor(info.name(), info.shape(), out);
        }

        /** Streams one tensor, widened to float32, to {@code sink} in chunks of at most {@value #CHUNK_ELEMENTS}. */
        public void stream(String name, ChunkSink sink) {
            TensorInfo info = info(name);
            checkLoadable(file, info);
            String dtype = info.dtype();
            int width = dtypeBytes(dtype);
            if (raw == null || raw.capacity() < CHUNK_ELEMENTS * width) {
                raw = ByteBuffer.allocateDirect(CHUNK_ELEMENTS * Math.max(width, 4)).order(ByteOrder.LITTLE_ENDIAN);
            }
            if (!dtype.equals("F32") && floats == null) {
                floats = ByteBuffer.allocateDirect(CHUNK_ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
            }
            long total = info.numel();
            long pos = header.dataStart() + info.begin();
            try {
                for (long at = 0; at < total; at += CHUNK_ELEMENTS) {
                    int count = (int) Math.min(CHUNK_ELEMENTS, total - at);
                    raw.clear().limit(count * width);
                    readFully(file, channel, raw, pos + at * width, "tensor " + info.name());
                    raw.flip();
                    ByteBuffer values = dtype.equals("F32") ? raw : widen(dtype, raw, floats, count);
                    values.position(0).limit(count * 4);
                    sink.accept(values, at, count);
                }
            } catch (IOException e) {
                throw ioError(file, e);
            }
        }

        private TensorInfo info(String name) {
            TensorInfo info = header.tensors().get(name);
            if (info == null) {
                throw new CheckpointException("file " + file + " has no tensor " + name);
            }
            return info;
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    /**
     * Writes {@code tensors} in the given order as {@code dtype} (F32, F16 or BF16; narrowing rounds to nearest
     * even), with {@code __metadata__} = {"format": "pt"} plus {@code metadata}. Atomic: written to a temp sibling
     * and renamed over {@code file}.
     */
    public static void write(Path file, Collection<HostTensor> tensors, String dtype, Map<String, String> metadata) {
        if (!WRITE_DTYPES.contains(dtype)) {
            throw new CheckpointException("cannot write " + file + " as dtype '" + dtype + "'; supported: "
                    + WRITE_DTYPES);
        }
        int width = dtypeBytes(dtype);
        byte[] header = headerBytes(file, tensors, dtype, width, metadata);
        Path tmp = AtomicFiles.tempSibling(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                writeFully(ch, head);
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors) {
                    writeData(ch, t.data(), dtype, width, chunk);
                }
                ch.force(true);
            }
            AtomicFiles.move(tmp, file);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new CheckpointException("cannot write " + file + ": " + e, e);
        }
    }

    /** Bytes a tensor of {@code numel} elements takes as {@code dtype} in a file. */
    public static long byteSize(long numel, String dtype) {
        int width = dtypeBytes(dtype);
        if (width < 0) {
            throw new IllegalArgumentException("unknown safetensors dtype '" + dtype + "'");
        }
        return numel * width;
    }

    // ---- reading

    private static FileChannel openChannel(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("safetensors file " + file + " does not exist", e);
        }
    }

    private static Header parseHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointException("file " + file + " is not a safetensors file: it has " + size
                    + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0, "the header length");
        long headerLen = lenBuf.getLong(0);
        if (headerLen < 0 || headerLen > size - 8) {
            throw new CheckpointException("file " + file + ": header length " + Long.toUnsignedString(headerLen)
                    + " is larger than the file (" + size + " bytes); truncated or not a safetensors file");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException("file " + file + ": header length " + headerLen + " exceeds the "
                    + MAX_HEADER_BYTES + "-byte limit; not a safetensors file");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(file, ch, headerBuf, 8, "the header");
        JsonNode root;
        try {
            root = JSON.readTree(headerBuf.array());
        } catch (JsonProcessingException e) {
            throw new CheckpointException("file " + file + ": header is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException("file " + file + ": header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        LinkedHashMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (METADATA_KEY.equals(e.getKey())) {
                parseMetadata(file, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), parseInfo(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        return new Header(dataStart, dataSize, tensors, metadata);
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new CheckpointException("file " + file + ": " + METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException("file " + file + ": " + METADATA_KEY + "." + e.getKey()
                        + " is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo parseInfo(Path file, String name, JsonNode node, long dataSize) {
        String where = "file " + file + ": tensor " + name;
        if (!node.isObject()) {
            throw new CheckpointException(where + ": header entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(where + ": missing or non-string 'dtype'");
        }
        String dtype = dtypeNode.textValue();
        int width = dtypeBytes(dtype);
        if (width < 0) {
            throw new CheckpointException(where + " has unknown dtype '" + dtype + "'");
        }
        long[] shape = longArray(where, node.get("shape"), "shape", -1);
        long[] offsets = longArray(where, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new CheckpointException(where + ": data_offsets " + Arrays.toString(offsets) + " are reversed");
        }
        long need;
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            need = Math.multiplyExact(n, (long) width);
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " overflows", e);
        }
        if (end - begin != need) {
            throw new CheckpointException(where + ": data_offsets " + Arrays.toString(offsets) + " span "
                    + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + need);
        }
        if (end > dataSize) {
            throw new CheckpointException("file " + file + " is truncated: tensor " + name + " needs bytes ["
                    + begin + ", " + end + ") but data section has " + dataSize + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Non-negative integers; {@code length} -1 means any length. */
    private static long[] longArray(String where, JsonNode node, String key, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw new CheckpointException(where + ": '" + key + "' must be an array of "
                    + (length >= 0 ? length + " " : "") + "non-negative integers, got " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new CheckpointException(where + ": '" + key + "' must be an array of non-negative integers,"
                        + " got " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkLoadable(Path file, TensorInfo info) {
        if (!FLOAT_DTYPES.contains(info.dtype())) {
            throw new CheckpointException("file " + file + ": tensor " + info.name() + " has dtype "
                    + info.dtype() + ", which cannot be loaded as float32; supported: " + FLOAT_DTYPES);
        }
    }

    /** Widens {@code count} raw values of {@code dtype} to float32 in {@code out} (bit-exact for F16/BF16). */
    private static ByteBuffer widen(String dtype, ByteBuffer raw, ByteBuffer out, int count) {
        out.clear();
        switch (dtype) {
            case "F64" -> {
                for (int i = 0; i < count; i++) {
                    out.putFloat(i * 4, (float) raw.getDouble(i * 8));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < count; i++) {
                    out.putFloat(i * 4, HalfPrecision.bf16ToFloat(raw.getShort(i * 2)));
                }
            }
            case "F16" -> {
                for (int i = 0; i < count; i++) {
                    out.putFloat(i * 4, HalfPrecision.f16ToFloat(raw.getShort(i * 2)));
                }
            }
            default -> throw new IllegalStateException(dtype);
        }
        return out;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel: nothing was written that could be lost
            }
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long pos, String what)
            throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                // only reachable if the file shrank after its size was checked
                throw new CheckpointException("file " + file + " is truncated: end of file while reading " + what);
            }
            p += r;
        }
    }

    private static CheckpointException ioError(Path file, IOException e) {
        return new CheckpointException("cannot read safetensors file " + file + ": " + e, e);
    }

    // ---- writing

    private static byte[] headerBytes(Path file, Collection<HostTensor> tensors, String dtype, int width,
            Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(METADATA_KEY);
        meta.put("format", "pt");
        if (metadata != null) {
            metadata.forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (HostTensor t : tensors) {
            if (METADATA_KEY.equals(t.name()) || !seen.add(t.name())) {
                throw new CheckpointException("cannot write " + file + ": tensor name " + t.name()
                        + (METADATA_KEY.equals(t.name()) ? " is reserved" : " appears twice"));
            }
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", dtype);
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = t.numel() * width;
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getOriginalMessage(), e);
        }
        // pad with spaces to a multiple of 8 (as HF does) so the data section starts aligned
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, float[] data, String dtype, int width, ByteBuffer chunk)
            throws IOException {
        int perChunk = CHUNK_BYTES / width;
        for (int at = 0; at < data.length; at += perChunk) {
            int count = Math.min(perChunk, data.length - at);
            chunk.clear();
            switch (dtype) {
                case "F32" -> chunk.asFloatBuffer().put(data, at, count);
                case "BF16" -> {
                    ShortBuffer s = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) {
                        s.put(i, HalfPrecision.floatToBf16(data[at + i]));
                    }
                }
                case "F16" -> {
                    ShortBuffer s = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) {
                        s.put(i, HalfPrecision.floatToF16(data[at + i]));
                    }
                }
                default -> throw new IllegalStateException(dtype);
            }
            chunk.limit(count * width);
            writeFully(ch, chunk);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
