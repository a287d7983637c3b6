package org.immunobench.lm.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.HalfPrecision;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.checkpoint.TensorLayout;
import org.immunobench.lm.runtime.ComputeDtype;
import static org.immunobench.lm.model.LlamaNames.EMBED_TOKENS;
import static org.immunobench.lm.model.LlamaNames.LM_HEAD;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The engine-side weights of one model: NDArrays on one device under HF names, plus optional LoRA adapters and the
 * RoPE tables. Owns its NDManager; nothing per-batch may be attached to it (forward passes work in the caller's scope
 * and always put an input, never a weight, first in an op so results land in that scope).
 *
 * <p>Storage follows the {@link ComputeDtype}: float32 throughout for {@code f32}; for {@code f16} and {@code bf16}
 * every weight matrix is held at 16 bits and frozen, while vectors (norm weights, biases) stay float32. A {@code bf16}
 * matrix is stored as float16 values times a power-of-two scale per matrix (DJL 0.36 has no bfloat16 type; see
 * {@link ComputeDtype}); {@link #use} and {@link #toCompute} turn stored weights into arrays of the compute dtype.
 */
public final class LlamaWeights implements AutoCloseable {
    /** Largest finite float16. */
    private static final float F16_MAX = 65504f;
    private static final NDIndex ALL = new NDIndex("...");

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private final ComputeDtype dtype;
    /** bf16 matrices: stored float16 × scale = the bfloat16 value; absent means 1. */
    private final Map<String, Float> scales;
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    private LoraConfig loraConfig;
    private NDArray ropeCos;
    private NDArray ropeSin;
    private int ropePositions;

    /** One adapter on one projection: A (r, in), B (out, r). */
    public record LoraAdapter(NDArray a, NDArray b, float scaling) {
    }

    /**
     * A stored weight made ready for arithmetic ({@link #use}). Closing it frees the float32 copy of a {@code bf16}
     * matrix (or the float16 copy of an {@code f16} vector) and does nothing when {@link #array} is the stored weight
     * itself. Autograd keeps what it needs for backward on its own, so closing right after the op is safe.
     */
    public record Use(NDArray array, boolean temporary) implements AutoCloseable {
        @Override
        public void close() {
            if (temporary) {
                array.close();
            }
        }
    }

    private LlamaWeights(ModelConfig config, NDManager manager, Map<String, NDArray> arrays, ComputeDtype dtype,
            Map<String, Float> scales) {
        this.config = config;
        this.manager = manager;
        this.arrays = arrays;
        this.dtype = dtype;
        this.scales = scales;
    }

    /** Moves host tensors (names and shapes already checked by the checkpoint reader) onto the device, float32. */
    public static LlamaWeights fromHost(ModelConfig config, Map<String, HostTensor> tensors, Device device) {
        return fromHost(config, tensors, device, ComputeDtype.F32);
    }

    /** Moves host tensors onto the device and converts them there to {@code dtype}'s storage. */
    public static LlamaWeights fromHost(ModelConfig config, Map<String, HostTensor> tensors, Device device,
            ComputeDtype dtype) {
        Map<String, long[]> expected = TensorLayout.expected(config);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            Map<String, Float> scales = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                HostTensor t = tensors.get(e.getKey());
                if (t == null) {
                    throw new IllegalArgumentException("missing tensor " + e.getKey());
                }
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    throw new IllegalArgumentException("tensor " + e.getKey() + " has shape "
                            + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
                }
                float[] data = t.data();
                float maxAbs = 0;
                if (dtype.reduced() && t.shape().length == 2) {
                    data = data.clone();
                    maxAbs = prepare(dtype, data, 0, data.length);
                }
                // manager.create(float[]) keeps a Java direct buffer behind a CPU tensor; dup owns its memory
                NDArray staged = manager.create(data, new Shape(t.shape()));
                NDArray owned = staged.duplicate();
                staged.close();
                arrays.put(e.getKey(), store(manager, e.getKey(), owned, dtype, maxAbs, scales));
            }
            LlamaWeights w = new LlamaWeights(config, manager, arrays, dtype, scales);
            w.ensureRope(Math.min(config.maxPositionEmbeddings(), 4096));
            return w;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a checked checkpoint directory onto {@code device} tensor by tensor: each tensor is streamed from its
     * safetensors file in chunks of {@link org.immunobench.lm.checkpoint.Safetensors#CHUNK_ELEMENTS} values (widened
     * to float32 in a reused direct buffer), copied into a float32 tensor that libtorch allocated on the device, and
     * only then converted to {@code dtype}'s storage there. The Java heap never holds tensor data, so a checkpoint
     * far larger than the heap loads; the device briefly holds one extra float32 tensor.
     */
    public static LlamaWeights load(CheckpointReader.CheckpointFiles files, Device device, ComputeDtype dtype) {
        ModelConfig config = files.config();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> loaded = new LinkedHashMap<>();
            Map<String, Float> scales = new LinkedHashMap<>();
            files.forEachTensor((name, shape, file) -> {
                NDArray dest = manager.zeros(new Shape(shape), DataType.FLOAT32);
                boolean matrix = dtype.reduced() && shape.length == 2;
                float[] maxAbs = {0f};
                try (NDArray flat = dest.reshape(-1)) {
                    file.stream(name, (values, offset, count) -> {
                        if (matrix) {
                            maxAbs[0] = Math.max(maxAbs[0], prepare(dtype, values, count));
                        }
                        try (NDArray chunk = manager.create(values, new Shape(count), DataType.FLOAT32)) {
                            flat.set(new NDIndex("{}:{}", offset, offset + count), chunk);
                        }
                    });
                } catch (RuntimeException e) {
                    dest.close();
                    throw e;
                }
                loaded.put(name, store(manager, name, dest, dtype, maxAbs[0], scales));
            });
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (String name : TensorLayout.expected(config).keySet()) {
                NDArray a = loaded.get(name);
                if (a == null) {
                    throw new IllegalStateException("checkpoint " + files.dir() + ": tensor " + name + " was not read");
                }
                arrays.put(name, a);
            }
            LlamaWeights w = new LlamaWeights(config, manager, arrays, dtype, scales);
            w.ensureRope(Math.min(config.maxPositionEmbeddings(), 4096));
            return w;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Host-side preparation of a chunk of a matrix that will be stored at 16 bits: for {@code bf16} rounds each
     * value to bfloat16 in place (nearest, ties to even, as a bfloat16 cast does); returns the largest magnitude.
     */
    private static float prepare(ComputeDtype dtype, ByteBuffer values, int count) {
        float max = 0;
        for (int i = 0; i < count; i++) {
            float v = values.getFloat(i * 4);
            if (dtype == ComputeDtype.BF16) {
                v = HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(v));
                values.putFloat(i * 4, v);
            }
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static float prepare(ComputeDtype dtype, float[] values, int from, int to) {
        float max = 0;
        for (int i = from; i < to; i++) {
            if (dtype == ComputeDtype.BF16) {
                values[i] = HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(values[i]));
            }
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }

    /**
     * Converts a float32 tensor on the device into its stored form (closing it when a new array replaces it).
     * Vectors and everything in {@code f32} stay float32. {@code f16} matrices become float16, refused when a value
     * would overflow. {@code bf16} matrices (already rounded to bfloat16) are divided by 2^k, k chosen so the largest
     * magnitude lands in [2^15, 2^16), and become float16: exact for every value within 2^32 of the largest (the
     * 8-bit bfloat16 significand fits float16's 11 bits down to its subnormals), and smaller ones round with an error
     * below 2^-40 of the largest.
     */
    private static NDArray store(NDManager manager, String name, NDArray f32, ComputeDtype dtype, float maxAbs,
            Map<String, Float> scales) {
        f32.setName(name);
        if (!dtype.reduced() || f32.getShape().dimension() != 2) {
            return f32;
        }
        if (!Float.isFinite(maxAbs)) {
            f32.close();
            throw new IllegalArgumentException("tensor " + name + " holds non-finite values; it cannot be stored as "
                    + dtype);
        }
        NDArray half;
        if (dtype == ComputeDtype.F16) {
            if (maxAbs > F16_MAX) {
                f32.close();
                throw new IllegalArgumentException("tensor " + name + " has values up to " + maxAbs
                        + ", beyond float16's range (" + F16_MAX + "); use --dtype bf16 or f32");
            }
            half = f32.toType(DataType.FLOAT16, false);
        } else {
            int k = maxAbs == 0 ? 0 : Math.getExponent(maxAbs) - 15;
            if (k != 0) {
                scales.put(name, (float) Math.scalb(1.0, k));
                try (NDArray scaled = f32.mul((float) Math.scalb(1.0, -k))) {
                    half = scaled.toType(DataType.FLOAT16, false);
                }
            } else {
                half = f32.toType(DataType.FLOAT16, false);
            }
        }
        f32.close();
        half.setName(name);
        return half;
    }

    public ModelConfig config() {
        return config;
    }

    public ComputeDtype dtype() {
        return dtype;
    }

    /** The dtype activations flow in: float16 for {@code f16}, float32 otherwise. */
    public DataType activationType() {
        return dtype == ComputeDtype.F16 ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    public Device device() {
        return manager.getDevice();
    }

    /**
     * The weight under its HF name, as stored; the lm_head of a tied model is the embedding matrix. In {@code f32}
     * that is the float32 weight itself; in {@code f16} and {@code bf16} a matrix comes back in its 16-bit stored form,
     * so arithmetic should go through {@link #use} or {@link #toCompute}.
     */
    public NDArray get(String name) {
        NDArray a = arrays.get(storedName(name));
        if (a == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return a;
    }

    private String storedName(String name) {
        return config.tieWordEmbeddings() && name.equals(LM_HEAD) ? EMBED_TOKENS : name;
    }

    /**
     * The weight ready for arithmetic in the compute dtype ({@link #activationType()}), for use in {@code scope}.
     * In {@code f32} (and for {@code f16} matrices) that is the stored array, at no cost; otherwise a converted copy
     * that closing the {@link Use} frees.
     */
    public Use use(String name, NDManager scope) {
        NDArray stored = get(name);
        if (!dtype.reduced() || stored.getDataType() == activationType() && !scales.containsKey(storedName(name))) {
            return new Use(stored, false);
        }
        NDArray view = stored.get(scope, ALL);
        NDArray converted = toCompute(name, view);
        if (converted != view) {
            view.close();
        }
        return new Use(converted, true);
    }

    /**
     * Converts {@code part} of the stored weight {@code name} (the weight itself, a view of it in a per-batch scope,
     * or rows gathered from it) to the compute dtype, in {@code part}'s manager: a {@code bf16} matrix is widened to
     * float32 and multiplied by its scale; an {@code f16} vector becomes float16. Returns {@code part} itself when
     * nothing needs converting.
     */
    public NDArray toCompute(String name, NDArray part) {
        if (!dtype.reduced()) {
            return part;
        }
        Float scale = scales.get(storedName(name));
        NDArray out = part.getDataType() == activationType() ? part : part.toType(activationType(), false);
        if (scale != null) {
            NDArray factor = part.getManager().full(new Shape(), scale, DataType.FLOAT32);
            NDArray scaled = out.mul(factor);
            if (out != part) {
                out.close();
            }
            factor.close();
            out = scaled;
        }
        return out;
    }

    /** Null when absent (optional biases). */
    public NDArray getOptional(String name) {
        return arrays.get(name);
    }

    /** All stored tensors in HF layout order (a tied lm_head is not listed twice). */
    public Map<String, NDArray> arrays() {
        return java.util.Collections.unmodifiableMap(arrays);
    }

    public LoraAdapter adapter(String weightName) {
        return adapters.get(weightName);
    }

    public Map<String, LoraAdapter> adapters() {
        return java.util.Collections.unmodifiableMap(adapters);
    }

    public LoraConfig loraConfig() {
        return loraConfig;
    }

    /**
     * Adds LoRA adapters to every layer's target projections. A ~ N(0, 1/in) (seeded), B = 0, so outputs are
     * unchanged until B is trained.
     */
    public void addLora(LoraConfig lora) {
        if (!adapters.isEmpty()) {
            throw new IllegalStateException("LoRA adapters already attached; merge or remove them first");
        }
        Random random = new Random(lora.seed());
        for (int layer = 0; layer < config.numLayers(); layer++) {
            for (String proj : lora.targets()) {
                String name = LlamaNames.projectionWeight(layer, proj);
                Shape shape = get(name).getShape();
                int out = (int) shape.get(0);
                int in = (int) shape.get(1);
                float[] a = new float[lora.rank() * in];
                double std = 1.0 / Math.sqrt(in);
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (random.nextGaussian() * std);
                }
                NDArray aArr = manager.create(a, new Shape(lora.rank(), in));
                NDArray bArr = manager.zeros(new Shape(out, lora.rank()), DataType.FLOAT32);
                aArr.setName(name + ".lora_A");
                bArr.setName(name + ".lora_B");
                adapters.put(name, new LoraAdapter(aArr, bArr, (float) lora.scaling()));
            }
        }
        loraConfig = lora;
    }

    /** W ← W + (α/r) B A for every adapter, then drops the adapters; the result saves as a plain checkpoint. */
    public void mergeLora() {
        requireFloat32("merging LoRA adapters into the base weights");
        for (Map.Entry<String, LoraAdapter> e : adapters.entrySet()) {
            NDArray w = arrays.get(e.getKey());
            LoraAdapter ad = e.getValue();
            try (NDManager scope = manager.newSubManager()) {
                NDArray b = ad.b().duplicate();
                b.attach(scope);
                NDArray delta = b.matMul(ad.a()).mul(ad.scaling());
                NDArray merged = w.duplicate();
                merged.attach(scope);
                merged.addi(delta);
                w.set(merged.toFloatArray());
            }
            ad.a().close();
            ad.b().close();
        }
        adapters.clear();
        loraConfig = null;
    }

    /**
     * The arrays a trainer should update: all weights, or only LoRA A/B when adapters are attached and
     * {@code adaptersOnly}.
     */
    public List<NDArray> trainable(boolean adaptersOnly) {
        List<NDArray> out = new ArrayList<>();
        if (!adaptersOnly) {
            requireFloat32("full fine-tuning (training every weight)");
        }
        if (adaptersOnly) {
            if (adapters.isEmpty()) {
                throw new IllegalStateException("adapters-only training requested but no LoRA adapters attached");
            }
            for (LoraAdapter ad : adapters.values()) {
                out.add(ad.a());
                out.add(ad.b());
            }
        } else {
            out.addAll(arrays.values());
        }
        return out;
    }

    /**
     * Copies every stored weight back to Java memory as float32 (after merging LoRA if you want it included);
     * 16-bit matrices are widened exactly.
     */
    public Map<String, HostTensor> toHost() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            float[] data;
            if (a.getDataType() == DataType.FLOAT32) {
                data = a.toFloatArray();
            } else {
                try (NDArray wide = a.toType(DataType.FLOAT32, false)) {
                    data = wide.toFloatArray();
                }
                Float scale = scales.get(e.getKey());
                if (scale != null) {
                    for (int i = 0; i < data.length; i++) {
                        data[i] *= scale;
                    }
                }
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), a.getShape().getShape(), data));
        }
        return out;
    }

    /** Refuses {@code what} unless the base weights are float32 (16-bit bases are frozen). */
    public void requireFloat32(String what) {
        if (dtype.reduced()) {
            throw new IllegalStateException(what + " needs float32 weights, but this model was loaded with dtype "
                    + dtype + ", whose base weights are frozen at 16 bits; use --dtype f32, or train LoRA adapters"
                    + " (float32 over the frozen base)");
        }
    }

    /** cos table [P, hd], grown on demand to cover {@code positions}. */
    synchronized NDArray ropeCos(int positions) {
        ensureRope(positions);
        return ropeCos;
    }

    synchronized NDArray ropeSin(int positions) {
        ensureRope(positions);
        return ropeSin;
    }

    private synchronized void ensureRope(int positions) {
        if (ropePositions >= positions) {
            return;
        }
        int size = Math.max(positions, Math.max(64, ropePositions * 2));
        float[][] t = RopeFrequencies.tables(config, size);
        Shape shape = new Shape(size, config.headDim());
        NDArray cos = manager.create(t[0], shape);
        NDArray sin = manager.create(t[1], shape);
        if (ropeCos != null) {
            ropeCos.close();
            ropeSin.close();
        }
        ropeCos = cos;
        ropeSin = sin;
        ropePositions = size;
    }

    /** Arrays currently attached to this model's manager; a forward pass must leave it unchanged. */
    public int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
