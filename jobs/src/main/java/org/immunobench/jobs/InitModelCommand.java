package org.immunobench.jobs;

import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code immunobench init-model}: a seeded, randomly initialised Llama checkpoint (HF layout, float32) with a
 * word-level tokenizer. What demos, tests and benchmarks run on when no trained model is at hand.
 */
@Command(name = "init-model", mixinStandardHelpOptions = true,
        description = {"Write a randomly initialised Llama checkpoint (HF layout, float32) with a word-level"
            + " tokenizer.json.", "Same flags and seed give the same files."})
final class InitModelCommand implements Callable<Integer> {
    static final String DEFAULT_WORDS = "basic-words.txt";

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint directory to write.")
    private Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @ArgGroup(exclusive = true)
    private Vocabulary vocabulary;

    static final class Vocabulary {
        @Option(names = "--vocab-words", paramLabel = "FILE",
                description = "Vocabulary, one word per line ('#' lines skipped). Default: 508 common English words.")
        Path wordsFile;

        @Option(names = "--vocab-size", paramLabel = "N",
                description = "Instead of words: N tokens in all, the 4 specials plus words w0, w1, ...")
        Integer size;
    }

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden size D. Default: ${DEFAULT-VALUE}.")
    private int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "Decoder layers. Default: ${DEFAULT-VALUE}.")
    private int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads. Default: ${DEFAULT-VALUE}.")
    private int heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads (default: --heads).")
    private Integer kvHeads;

    @Option(names = "--intermediate", paramLabel = "N",
            description = "SwiGLU inner width (default: 8/3 D rounded up to a multiple of 8).")
    private Integer intermediate;

    @Option(names = "--max-positions", defaultValue = "512",
            description = "Context length (max_position_embeddings). Default: ${DEFAULT-VALUE}.")
    private int maxPositions;

    @Option(names = "--overwrite", description = "Replace an existing checkpoint at --out.")
    private boolean overwrite;

    @Override
    public Integer call() throws IOException {
        List<String> words = words();
        int inner = intermediate != null ? intermediate : (hidden * 8 / 3 + 7) / 8 * 8;
        if (heads > 0 && hidden % heads != 0) {
            throw new ParameterException(spec.commandLine(), "--hidden (" + hidden + ") must be a multiple of"
                    + " --heads (" + heads + ")");
        }
        if (Files.exists(out) && !isEmptyDir(out) && !overwrite) {
            throw new IllegalArgumentException("--out " + out + " already exists; pass --overwrite to replace it");
        }
        ModelConfig config;
        try {
            config = ModelConfig.llama(WordLevelTokenizerJson.vocabulary(words).size(), hidden, inner, layers, heads,
                    kvHeads != null ? kvHeads : heads, maxPositions);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid model: " + e.getMessage(), e);
        }
        writeCheckpoint(out, config, words, seed);
        spec.commandLine().getOut().printf("wrote %s: llama, vocab %d, hidden %d, %d layers, %d heads (%d kv),"
                + " intermediate %d, context %d, %.2fM parameters, seed %d%n", out, config.vocabSize(), hidden,
                layers, heads, config.numKvHeads(), inner, maxPositions, config.parameterCount() / 1e6, seed);
        return Cli.OK;
    }

    /**
     * Writes a random checkpoint of {@code config} (whose vocab size must match the words plus specials) with a
     * word-level tokenizer over {@code words}; the special token ids go into the config.
     */
    static ModelConfig writeCheckpoint(Path out, ModelConfig config, List<String> words, long seed)
            throws IOException {
        ModelConfig withSpecials = config.withSpecialTokens(2, List.of(3), 0); // WordLevelTokenizerJson's ids
        Path tokenizer = Files.createTempFile("immunobench-tokenizer", ".json");
        try {
            List<String> vocab = WordLevelTokenizerJson.write(tokenizer, words);
            if (vocab.size() != config.vocabSize()) {
                throw new IllegalArgumentException("vocabulary has " + vocab.size() + " tokens but the model "
                        + config.vocabSize());
            }
            CheckpointWriter.write(out, withSpecials, RandomInit.weights(withSpecials, seed), tokenizer, "F32");
        } finally {
            Files.deleteIfExists(tokenizer);
        }
        return withSpecials;
    }

    private List<String> words() throws IOException {
        if (vocabulary != null && vocabulary.size != null) {
            int n = vocabulary.size - WordLevelTokenizerJson.SPECIALS.size();
            if (n < 1) {
                throw new ParameterException(spec.commandLine(), "--vocab-size must be > "
                        + WordLevelTokenizerJson.SPECIALS.size() + " (the special tokens), got " + vocabulary.size);
            }
            return syntheticWords(n);
        }
        List<String> lines;
        if (vocabulary != null && vocabulary.wordsFile != null) {
            if (!Files.isRegularFile(vocabulary.wordsFile)) {
                throw new IllegalArgumentException("--vocab-words file not found: " + vocabulary.wordsFile);
            }
            lines = Files.readAllLines(vocabulary.wordsFile, StandardCharsets.UTF_8);
        } else {
            lines = defaultWordLines();
        }
        List<String> words = new ArrayList<>();
        for (String line : lines) {
            String w = line.strip();
            if (!w.isEmpty() && !w.startsWith("#")) {
                words.add(w);
            }
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no words in the vocabulary"
                    + (vocabulary != null ? " file " + vocabulary.wordsFile : ""));
        }
        return words;
    }

    static List<String> syntheticWords(int n) {
        List<String> words = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            words.add("w" + i);
        }
        return words;
    }

    static List<String> defaultWordLines() {
        try (InputStream in = InitModelCommand.class.getResourceAsStream(DEFAULT_WORDS)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEFAULT_WORDS + " missing from the jobs jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }
}
