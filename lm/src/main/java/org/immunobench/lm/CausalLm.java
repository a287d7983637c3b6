package org.immunobench.lm;

import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.generate.Generator;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded causal LM: config, weights on a device, tokenizer (when the checkpoint has one), and the scorer and
 * generator over them. The entry point of the {@code lm} module; owns and closes everything it loaded.
 */
public final class CausalLm implements AutoCloseable {
    private final Path source;
    private final ModelConfig config;
    private final LlamaWeights weights;
    private final LmTokenizer tokenizer;
    private final RuntimeOptions options;

    private CausalLm(Path source, ModelConfig config, LlamaWeights weights, LmTokenizer tokenizer,
            RuntimeOptions options) {
        this.source = source;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.options = options;
    }

    /**
     * Loads an HF checkpoint directory (config.json, safetensors, optional tokenizer.json) onto the options' device in
     * their dtype, streaming tensor by tensor ({@link LlamaWeights#load}): the Java heap holds no weights.
     */
    public static CausalLm load(Path dir, RuntimeOptions options) {
        DjlRuntime.start(options.intraOpThreads());
        CheckpointReader.CheckpointFiles ckpt = CheckpointReader.index(dir);
        LlamaWeights w = LlamaWeights.load(ckpt, options.device().toDevice(), options.dtype());
        LmTokenizer tok = null;
        try {
            tok = ckpt.tokenizerJson() == null ? null : LmTokenizer.load(ckpt.tokenizerJson());
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        return new CausalLm(dir, ckpt.config(), w, tok, options);
    }

    /** Wraps in-memory tensors (e.g. a fresh random init), with an optional tokenizer file. */
    public static CausalLm fromTensors(ModelConfig config, Map<String, HostTensor> tensors, Path tokenizerJson,
            RuntimeOptions options) {
        DjlRuntime.start(options.intraOpThreads());
        LlamaWeights w = LlamaWeights.fromHost(config, tensors, options.device().toDevice(), options.dtype());
        return new CausalLm(null, config, w, tokenizerJson == null ? null : LmTokenizer.load(tokenizerJson),
                options);
    }

    public ModelConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
    }

    public RuntimeOptions options() {
        return options;
    }

    /** The directory this model was loaded from, or null. */
    public Path source() {
        return source;
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    public LmTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("model " + (source == null ? "(in memory)" : source)
                    + " has no tokenizer.json");
        }
        return tokenizer;
    }

    /** A new scorer (not thread-safe: one per thread). */
    public Scorer scorer() {
        return new Scorer(weights, options);
    }

    public Generator generator() {
        return new Generator(weights);
    }

    /** Writes an HF checkpoint directory (float32, LoRA merged first if attached; merging needs dtype f32). */
    public void save(Path dir) {
        if (!weights.adapters().isEmpty()) {
            weights.mergeLora();
        }
        CheckpointWriter.write(dir, config, weights.toHost(), tokenizer == null ? null : tokenizer.path(), "F32");
    }

    @Override
    public void close() {
        try {
            if (tokenizer != null) {
                tokenizer.close();
            }
        } finally {
            weights.close();
        }
    }
}
