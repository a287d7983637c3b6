package org.immunobench.lm.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.checkpoint.TensorLayout;
import static org.immunobench.lm.model.LlamaNames.EMBED_TOKENS;
import static org.immunobench.lm.model.LlamaNames.LM_HEAD;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The engine-side weights of one model: float32 NDArrays on one device under HF names, plus optional LoRA adapters
 * and the RoPE tables. Owns its NDManager; nothing per-batch may be attached to it (forward passes work in the
 * caller's scope and always put an input, never a weight, first in an op so results land in that scope).
 */
public final class LlamaWeights implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    private LoraConfig loraConfig;
    private NDArray ropeCos;
    private NDArray ropeSin;
    private int ropePositions;

    /** One adapter on one projection: A (r, in), B (out, r). */
    public record LoraAdapter(NDArray a, NDArray b, float scaling) {
    }

    private LlamaWeights(ModelConfig config, NDManager manager, Map<String, NDArray> arrays) {
        this.config = config;
        this.manager = manager;
        this.arrays = arrays;
    }

    /** Moves host tensors (names and shapes already checked by the checkpoint reader) onto the device. */
    public static LlamaWeights fromHost(ModelConfig config, Map<String, HostTensor> tensors, Device device) {
        Map<String, long[]> expected = TensorLayout.expected(config);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                HostTensor t = tensors.get(e.getKey());
                if (t == null) {
                    throw new IllegalArgumentException("missing tensor " + e.getKey());
                }
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    throw new IllegalArgumentException("tensor " + e.getKey() + " has shape "
                            + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
                }
                NDArray a = manager.create(t.data(), new Shape(t.shape()));
                a.setName(e.getKey());
                arrays.put(e.getKey(), a);
            }
            LlamaWeights w = new LlamaWeights(config, manager, arrays);
            w.ensureRope(Math.min(config.maxPositionEmbeddings(), 4096));
            return w;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The weight under its HF name; the lm_head of a tied model is the embedding matrix. */
    public NDArray get(String name) {
        if (config.tieWordEmbeddings() && name.equals(LM_HEAD)) {
            return arrays.get(EMBED_TOKENS);
        }
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return a;
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

    /** Copies every stored weight back to Java memory (after merging LoRA if you want it included). */
    public Map<String, HostTensor> toHost() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            out.put(e.getKey(), new HostTensor(e.getKey(), a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
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
