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

    /**
     * A checked checkpoint directory whose tensor data has not been read: config, the file holding each tensor
     * (in {@link TensorLayout} order, tied lm_head and ignored buffers left out) and the tokenizer file.
     */
    public record CheckpointFiles(Path dir, ModelConfig config, Map<String, Path> fileOf, Path tokenizerJson) {
        public CheckpointFiles {
            fileOf = Collections.unmodifiableMap(new LinkedHashMap<>(fileOf));
        }

        /** Receives one tensor: its HF name, shape and the open file to stream it from. */
        @FunctionalInterface
        public interface TensorVisitor {
            void visit(String name, long[] shape, Safetensors.Reader file);
        }

        /**
         * Visits every tensor, opening each file once and taking its tensors in file order (so reads move forward
         * through the file). Tensor data is only read when the visitor streams it.
         */
        public void forEachTensor(TensorVisitor visitor) {
            Map<Path, List<String>> byFile = new LinkedHashMap<>();
            fileOf.forEach((name, file) -> byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(name));
            for (Map.Entry<Path, List<String>> e : byFile.entrySet()) {
                try (Safetensors.Reader reader = Safetensors.open(e.getKey())) {
                    Set<String> wanted = new LinkedHashSet<>(e.getValue());
                    for (Safetensors.TensorInfo info : reader.tensors().values()) {
                        if (wanted.contains(info.name())) {
                            visitor.visit(info.name(), info.shape(), reader);
                        }
                    }
                }
            }
        }
    }

    /** Reads every tensor into host memory as float32 (the whole model on the Java heap; see {@link #index}). */
    public static LoadedCheckpoint read(Path dir) {
        CheckpointFiles files = index(dir);
        Map<Path, Set<String>> namesByFile = new LinkedHashMap<>();
        files.fileOf().forEach((name, file) -> namesByFile.computeIfAbsent(file, f -> new LinkedHashSet<>()).add(name));
        Map<String, HostTensor> loaded = new LinkedHashMap<>();
        namesByFile.forEach((file, names) -> loaded.putAll(Safetensors.read(file, names)));
        LinkedHashMap<String, HostTensor> ordered = new LinkedHashMap<>();
        for (String name : files.fileOf().keySet()) {
            ordered.put(name, loaded.get(name));
        }
        return new LoadedCheckpoint(dir, files.config(), ordered, files.tokenizerJson());
    }

    /**
     * Checks a checkpoint directory from {@code config.json} and the safetensors headers alone (names, shapes,
     * dtypes, shard index) and says where each tensor is, without reading tensor data.
     */
    public static CheckpointFiles index(Path dir) {
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
        Map<String, Safetensors.TensorInfo> infos = new LinkedHashMap<>();
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(single)) {
            for (Safetensors.TensorInfo info : Safetensors.readHeader(single).values()) {
                fileOf.put(info.name(), single);
                infos.put(info.name(), info);
            }
        } else if (Files.isRegularFile(index)) {
            readIndex(dir, index, fileOf, infos);
        } else {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin: pickle checkpoints are not read, convert it to safetensors)" : "";
            throw new CheckpointException("checkpoint directory " + dir + " has no " + SINGLE_FILE + " or " + INDEX
                    + hint);
        }

        Map<String, long[]> kept = new LinkedHashMap<>();
        List<String> badTypes = new ArrayList<>();
        for (Map.Entry<String, Safetensors.TensorInfo> e : infos.entrySet()) {
            String name = e.getKey();
            boolean tiedHead = config.tieWordEmbeddings() && TensorLayout.LM_HEAD.equals(name);
            // many HF checkpoints save the tied lm_head anyway; the embedding is the one that counts
            if (!tiedHead && !TensorLayout.isIgnoredBuffer(name)) {
                kept.put(name, e.getValue().shape());
                if (!Safetensors.FLOAT_DTYPES.contains(e.getValue().dtype())) {
                    badTypes.add(name + " (" + e.getValue().dtype() + ") in " + fileOf.get(name));
                }
            }
        }
        LayoutCheck.check(config, kept, name -> "in " + fileOf.get(name), CONFIG,
                "checkpoint " + dir + " does not match its " + CONFIG);
        if (!badTypes.isEmpty()) {
            throw new CheckpointException("checkpoint " + dir + ": tensors of a dtype that cannot be loaded as"
                    + " float32 (supported: " + Safetensors.FLOAT_DTYPES + "): " + badTypes);
        }

        LinkedHashMap<String, Path> ordered = new LinkedHashMap<>();
        for (String name : TensorLayout.expected(config).keySet()) {
            ordered.put(name, fileOf.get(name));
        }
        Path tokenizer = dir.resolve(TOKENIZER);
        return new CheckpointFiles(dir, config, ordered, Files.isRegularFile(tokenizer) ? tokenizer : null);
    }

    /** Fills name → shard and name → shape from the index and the shard headers, checking they agree. */
    private static void readIndex(Path dir, Path index, Map<String, Path> fileOf,
            Map<String, Safetensors.TensorInfo> infos) {
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
                    infos.put(name, info);
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
