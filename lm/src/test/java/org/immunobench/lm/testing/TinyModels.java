package org.immunobench.lm.testing;

import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny configs of every supported family, and on-disk checkpoints made from them, for tests in any module. */
public final class TinyModels {
    private TinyModels() {
    }

    /** A word list "w0 … w{n-1}" plus a few readable words used by tests. */
    public static List<String> words(int n) {
        List<String> words = new ArrayList<>(List.of("user", ":", "assistant", "hello", "world", "the", "a", "cat",
                "sat", "on", "mat", "."));
        for (int i = 0; words.size() < n; i++) {
            words.add("w" + i);
        }
        return words;
    }

    /** GQA llama: 4 query heads over 2 kv heads, vocab 48 (44 words + 4 specials). */
    public static ModelConfig llama() {
        return ModelConfig.llama(48, 32, 64, 2, 4, 2, 128).withSpecialTokens(2, List.of(3), 0);
    }

    /** llama with attention_bias, llama3 rope scaling and a head_dim that is not D / H. */
    public static ModelConfig llamaVariant() {
        return new ModelConfig("llama", 48, 32, 48, 2, 4, 1, 12, 1e-6, 50000.0,
                ModelConfig.RopeScaling.llama3(8.0, 1.0, 4.0, 16), 128, false, true, false, null, 2, List.of(3), 0);
    }

    /** mistral with a sliding window shorter than the test sequences. */
    public static ModelConfig mistral() {
        return new ModelConfig("mistral", 48, 32, 64, 2, 4, 2, 8, 1e-5, 10000.0, ModelConfig.RopeScaling.linear(2.0),
                128, false, false, false, 5, 2, List.of(3), 0);
    }

    /** qwen2: q/k/v biases and tied embeddings. */
    public static ModelConfig qwen2() {
        return new ModelConfig("qwen2", 48, 32, 64, 2, 4, 2, 8, 1e-6, 1000000.0, null, 128, true, false, true, null,
                2, List.of(3), 0);
    }

    public static List<ModelConfig> allFamilies() {
        return List.of(llama(), llamaVariant(), mistral(), qwen2());
    }

    /** Writes a random checkpoint (seeded) with a word-level tokenizer whose vocabulary fills the config. */
    public static Path writeCheckpoint(Path dir, ModelConfig config, long seed, double std) {
        Path tokenizer = dir.resolveSibling(dir.getFileName() + "-tokenizer.json");
        WordLevelTokenizerJson.write(tokenizer, words(config.vocabSize() - WordLevelTokenizerJson.SPECIALS.size()));
        CheckpointWriter.write(dir, config, RandomInit.weights(config, seed, std), tokenizer, "F32");
        return dir;
    }
}
