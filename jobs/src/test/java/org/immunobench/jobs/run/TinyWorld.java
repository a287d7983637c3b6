package org.immunobench.jobs.run;

import org.immunobench.curation.testing.TestSpark;
import org.immunobench.jobs.world.ToyWorld;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldConfig;
import org.immunobench.jobs.world.WorldWriter;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;

import java.nio.file.Path;
import java.util.List;

/**
 * A toy world directory for run tests: the real corpus and tokenizer, with two tiny random Llamas standing in for
 * the trained base and aligned models (the loop's mechanics do not need models that know anything, and training
 * the real ones takes minutes).
 */
public final class TinyWorld {
    private static Path built;

    private TinyWorld() {
    }

    /** Built once per test JVM in a temporary directory removed at exit. */
    public static synchronized Path get() {
        if (built == null) {
            Path root;
            try {
                root = java.nio.file.Files.createTempDirectory("ib-tinyworld");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TaskStore.deleteTree(root)));
            Path dir = root.resolve("world");
            World world = ToyWorld.generate(WorldConfig.defaults());
            WorldWriter.write(TestSpark.get(), world, dir, true);
            ModelConfig config = modelConfig(world);
            Path tokenizer = dir.resolve(WorldWriter.TOKENIZER);
            CheckpointWriter.write(dir.resolve("models/base"), config, RandomInit.weights(config, 2), tokenizer, "F32");
            CheckpointWriter.write(dir.resolve("models/aligned"), config, RandomInit.weights(config, 1), tokenizer,
                    "F32");
            built = dir;
        }
        return built;
    }

    static ModelConfig modelConfig(World world) {
        int vocab = world.words().size() + WordLevelTokenizerJson.SPECIALS.size();
        return new ModelConfig("llama", vocab, 32, 64, 2, 2, 2, 16, 1e-5, 10000.0, null, 128, false, false, false,
                null, 2, List.of(3), 0);
    }

    /** A small experiment over the tiny world: none and LoX, one harmful SFT and one trainability task each. */
    static String experiment(String extraParents) {
        return """
                version: 1
                name: tiny
                parents:
                  - name: aligned
                    checkpoint: world:aligned
                    reference: world:base
                """ + extraParents + """
                defences:
                  - name: none
                  - name: lox
                    config: {rank: 2, alpha: 0.5}
                attacks:
                  - kind: harmful_sft
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                    seeds: [0]
                    eval_steps: [0, 2]
                trainability:
                  kind: benign_sft
                  split: benign_train
                  params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                  eval_steps: [0, 2]
                evaluation:
                  harmful_prompts: 6
                  benign_prompts: 12
                  nll_rows: 6
                  max_new_tokens: 6
                """;
    }
}
