package org.immunobench.lm.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.lm.model.ModelConfig;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves a checkpoint as an HF directory that transformers and our {@link CheckpointReader} both load:
 * config.json, generation_config.json, model.safetensors (or HF-named shards plus model.safetensors.index.json)
 * and tokenizer.json. Everything is written into a hidden sibling directory that is renamed into place last, so
 * a crash never leaves a half checkpoint under the target name. An existing checkpoint (or empty directory) at the
 * target is replaced; anything else there is an error.
 */
public final class CheckpointWriter {
    public static final String GENERATION_CONFIG = "generation_config.json";

    private CheckpointWriter() {
    }

    /** Writes one model.safetensors. */
    public static void write(Path dir, ModelConfig config, Map<String, HostTensor> tensors, Path tokenizerJsonOrNull,
            String dtype) {
        write(dir, config, tensors, tokenizerJsonOrNull, dtype, Long.MAX_VALUE);
    }

    /**
     * Writes shards of at most {@code maxShardBytes} tensor bytes each (a larger single tensor gets a shard of its
     * own, as in HF) as {@code model-0000k-of-0000n.safetensors} plus the index; one shard is written as plain
     * model.safetensors.
     */
    public static void write(Path dir, ModelConfig config, Map<String, HostTensor> tensors, Path tokenizerJsonOrNull,
            String dtype, long maxShardBytes) {
        if (!Safetensors.WRITE_DTYPES.contains(dtype)) {
            throw new CheckpointException("cannot write checkpoint " + dir + " as dtype '" + dtype + "'; supported: "
                    + Safetensors.WRITE_DTYPES);
        }
        if (maxShardBytes <= 0) {
            throw new CheckpointException("cannot write checkpoint " + dir + ": maxShardBytes must be > 0, got "
                    + maxShardBytes);
        }
        List<HostTensor> ordered = validate(dir, config, tensors);
        if (tokenizerJsonOrNull != null && !Files.isRegularFile(tokenizerJsonOrNull)) {
            throw new CheckpointException("cannot write checkpoint " + dir + ": tokenizer file " + tokenizerJsonOrNull
                    + " does not exist");
        }
        checkTarget(dir);

        Path tmp = AtomicFiles.tempSibling(dir);
        try {
            Files.createDirectories(tmp.getParent());
            Files.createDirectory(tmp);
            ModelConfigJson.write(tmp.resolve(CheckpointReader.CONFIG), config);
            AtomicFiles.writeString(tmp.resolve(GENERATION_CONFIG), generationConfig(config));
            writeWeights(tmp, ordered, dtype, maxShardBytes);
            if (tokenizerJsonOrNull != null) {
                Files.copy(tokenizerJsonOrNull, tmp.resolve(CheckpointReader.TOKENIZER));
            }
            install(tmp, dir);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new CheckpointException("cannot write checkpoint " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    /** The tensors in layout order, after checking names and shapes; a tied lm_head is accepted and dropped. */
    private static List<HostTensor> validate(Path dir, ModelConfig config, Map<String, HostTensor> tensors) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new CheckpointException("cannot write checkpoint " + dir + ": map key " + e.getKey()
                        + " holds tensor named " + e.getValue().name());
            }
            if (!(config.tieWordEmbeddings() && TensorLayout.LM_HEAD.equals(e.getKey()))) {
                shapes.put(e.getKey(), e.getValue().shape());
            }
        }
        LayoutCheck.check(config, shapes, name -> "to be written to " + dir, "the model config",
                "cannot write checkpoint " + dir);
        List<HostTensor> ordered = new ArrayList<>();
        for (String name : TensorLayout.expected(config).keySet()) {
            ordered.add(tensors.get(name));
        }
        return ordered;
    }

    /**
     * Refuses a target that exists and is neither an empty directory nor a checkpoint (no config.json), so a
     * wrong path never wipes unrelated files.
     */
    private static void checkTarget(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        if (Files.isDirectory(dir)) {
            if (Files.isRegularFile(dir.resolve(CheckpointReader.CONFIG))) {
                return;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                if (!s.iterator().hasNext()) {
                    return;
                }
            } catch (IOException e) {
                throw new CheckpointException("cannot write checkpoint " + dir + ": " + e, e);
            }
        }
        throw new CheckpointException("cannot write checkpoint " + dir
                + ": it exists and is not an empty directory or a checkpoint (no config.json)");
    }

    /** Renames {@code fresh} to {@code dir}; an existing {@code dir} is moved aside first and deleted after. */
    private static void install(Path fresh, Path dir) throws IOException {
        if (!Files.exists(dir)) {
            AtomicFiles.move(fresh, dir);
            return;
        }
        Path old = AtomicFiles.tempSibling(dir);
        AtomicFiles.move(dir, old);
        try {
            AtomicFiles.move(fresh, dir);
        } catch (IOException | RuntimeException e) {
            try {
                AtomicFiles.move(old, dir);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        AtomicFiles.deleteQuietly(old);
    }

    private static void writeWeights(Path dir, List<HostTensor> ordered, String dtype, long maxShardBytes) {
        List<List<HostTensor>> shards = new ArrayList<>();
        List<HostTensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (HostTensor t : ordered) {
            long bytes = Safetensors.byteSize(t.numel(), dtype);
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += bytes;
        }
        shards.add(current);
        if (shards.size() == 1) {
            Safetensors.write(dir.resolve(CheckpointReader.SINGLE_FILE), current, dtype, Map.of());
            return;
        }
        ObjectNode index = Safetensors.JSON.createObjectNode();
        long total = 0;
        for (HostTensor t : ordered) {
            total += Safetensors.byteSize(t.numel(), dtype);
        }
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Safetensors.write(dir.resolve(name), shards.get(i), dtype, Map.of());
            for (HostTensor t : shards.get(i)) {
                weightMap.put(t.name(), name);
            }
        }
        AtomicFiles.writeString(dir.resolve(CheckpointReader.INDEX), ModelConfigJson.pretty(index));
    }

    private static String generationConfig(ModelConfig c) {
        ObjectNode o = Safetensors.JSON.createObjectNode();
        o.put("_from_model_config", true);
        if (c.bosTokenId() != null) {
            o.put("bos_token_id", c.bosTokenId());
        }
        List<Integer> eos = c.eosTokenIds();
        if (eos.size() == 1) {
            o.put("eos_token_id", eos.get(0));
        } else if (eos.size() > 1) {
            ArrayNode a = o.putArray("eos_token_id");
            eos.forEach(a::add);
        }
        if (c.padTokenId() != null) {
            o.put("pad_token_id", c.padTokenId());
        }
        return ModelConfigJson.pretty(o);
    }
}
