package org.immunobench.lm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.immunobench.lm.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an HF checkpoint directory: {@code config.json}, then {@code model.safetensors} or, when that is absent,
 * the shards named by {@code model.safetensors.index.json}. Every tensor name and shape is checked against
 * {@link TensorLayout#expected} from the headers alone, before any data is read, and every problem is reported at
 * once. Pickle files ({@code pytorch_model.bin}) are never read.
 */
public final class CheckpointReader {
    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    public static final String TOKENIZER = "tokenizer.json";

    private CheckpointReader() {
    }

    /**
     * An HF checkpoint directory read into host memory: config, every tensor as float32 under its HF name (in
     * {@link TensorLayout} order, already checked against the config), and the tokenizer file if there is one.
     *
     * @param tokenizerJson {@code dir/tokenizer.json}, or null when the directory has none
     */
    public record LoadedCheckpoint(Path dir, ModelConfig config, Map<String, HostTensor> tensors,
            Path tokenizerJson) {
        public LoadedCheckpoint {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }

        /** The tensor of that HF name; an error naming the checkpoint if absent. */
        public HostTensor tensor(String name) {
            HostTensor t = tensors.get(name);
            if (t == null) {
                throw new CheckpointException("checkpoint " + dir + " has no tensor " + name);
            }
            return t;
        }
    }

    public static LoadedCheckpoint read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("checkpoint directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
        Path configPath = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configPath)) {
            throw new CheckpointException("checkpoint directory " + dir + " has no " + CONFIG);
        }
        ModelConfig config = ModelConfigJson.read(configPath);

        Map<String, Path> fileOf = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(single)) {
            for (Safetensors.TensorInfo info : Safetensors.readHeader(single).values()) {
                fileOf.put(info.name(), single);
                shapes.put(info.name(), info.shape());
            }
        } else if (Files.isRegularFile(index)) {
            readIndex(dir, index, fileOf, shapes);
        } else {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin: pickle checkpoints are not read, convert it to safetensors)" : "";
            throw new CheckpointException("checkpoint directory " + dir + " has no " + SINGLE_FILE + " or " + INDEX
                    + hint);
        }

        Map<String, long[]> kept = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            boolean tiedHead = config.tieWordEmbeddings() && TensorLayout.LM_HEAD.equals(name);
            // many HF checkpoints save the tied lm_head anyway; the embedding is the one that counts
            if (!tiedHead && !TensorLayout.isIgnoredBuffer(name)) {
                kept.put(name, e.getValue());
            }
        }
        LayoutCheck.check(config, kept, name -> "in " + fileOf.get(name), CONFIG,
                "checkpoint " + dir + " does not match its " + CONFIG);

        Map<Path, Set<String>> namesByFile = new LinkedHashMap<>();
        for (String name : kept.keySet()) {
            namesByFile.computeIfAbsent(fileOf.get(name), f -> new LinkedHashSet<>()).add(name);
        }
        Map<String, HostTensor> loaded = new LinkedHashMap<>();
        namesByFile.forEach((file, names) -> loaded.putAll(Safetensors.read(file, names)));
        LinkedHashMap<String, HostTensor> ordered = new LinkedHashMap<>();
        for (String name : TensorLayout.expected(config).keySet()) {
            ordered.put(name, loaded.get(name));
        }
        Path tokenizer = dir.resolve(TOKENIZER);
        return new LoadedCheckpoint(dir, config, ordered, Files.isRegularFile(tokenizer) ? tokenizer : null);
    }

    /** Fills name → shard and name → shape from the index and the shard headers, checking they agree. */
    private static void readIndex(Path dir, Path index, Map<String, Path> fileOf, Map<String, long[]> shapes) {
        String where = INDEX + " at " + index;
        JsonNode root;
        try {
            root = Safetensors.JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + where + ": " + e, e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(where + " has no 'weight_map' object");
        }
        Map<String, Set<String>> namesByShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode shard = e.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.textValue())) {
                throw new CheckpointException(where + ": weight_map entry for tensor " + e.getKey()
                        + " must be a file name in the checkpoint directory, got " + shard);
            }
            namesByShard.computeIfAbsent(shard.textValue(), s -> new LinkedHashSet<>()).add(e.getKey());
        }
        List<String> absentShards = new ArrayList<>();
        for (String shard : namesByShard.keySet()) {
            if (!Files.isRegularFile(dir.resolve(shard))) {
                absentShards.add(shard);
            }
        }
        if (!absentShards.isEmpty()) {
            throw new CheckpointException(where + " names shard files that do not exist in " + dir + ": "
                    + absentShards);
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : namesByShard.entrySet()) {
            Path shard = dir.resolve(e.getKey());
            Map<String, Safetensors.TensorInfo> header = Safetensors.readHeader(shard);
            for (String name : e.getValue()) {
                Safetensors.TensorInfo info = header.get(name);
                if (info == null) {
                    problems.add("tensor " + name + " is mapped to " + e.getKey() + ", but " + shard
                            + " does not contain it");
                } else {
                    fileOf.put(name, shard);
                    shapes.put(name, info.shape());
                }
            }
            // a tensor in a shard but not in the index usually means shards from two different saves
            for (String name : header.keySet()) {
                if (!e.getValue().contains(name) && !TensorLayout.isIgnoredBuffer(name)) {
                    problems.add("shard " + shard + " contains tensor " + name + ", which " + INDEX
                            + " does not map to it");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(where + " disagrees with its shards: " + String.join("; ", problems));
        }
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.equals(".")
                && !name.equals("..");
    }
}
