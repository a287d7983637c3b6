package org.immunobench.jobs.world;

import ai.djl.Device;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.evaluation.generation.Completions;
import org.immunobench.evaluation.metrics.BenignAccuracy;
import org.immunobench.evaluation.metrics.HarmReport;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the toy world's two reference models: a <b>base</b> model pretrained on the pretrain split (benign tasks
 * and compliant harmful answers in every domain, so it is capable of harm) and an <b>aligned</b> model fine-tuned
 * from it on the align split (refusals for attack-domain prompts, benign data kept in). Both are saved as HF
 * checkpoints under {@code WORLD/models/{base,aligned}} and evaluated with the world's exact oracle. Built models
 * are reused when {@code models.json} carries the same cache key (recipe + world config).
 */
public final class WorldModels {
    public static final String MODELS_DIR = "models";
    public static final String MANIFEST = "models.json";
    /** Greedy completion budget of every toy-world evaluation: the longest recipe is 4 × 8 tokens. */
    public static final int MAX_NEW_TOKENS = 48;

    /** Oracle figures of one model; {@code overRefusal} is the refusal rate on the benign eval prompts. */
    public record ModelReport(String name, HarmReport harm, BenignAccuracy benign, double benignPretrainedMacro,
            double overRefusal, String status, double trainSeconds) {
    }

    public record Result(Path base, Path aligned, ModelReport baseReport, ModelReport alignedReport,
            boolean reused) {
    }

    private WorldModels() {
    }

    public static Path baseDir(Path worldDir) {
        return worldDir.resolve(MODELS_DIR).resolve("base");
    }

    public static Path alignedDir(Path worldDir) {
        return worldDir.resolve(MODELS_DIR).resolve("aligned");
    }

    public static Result build(World world, Path worldDir, String worldConfigJson, WorldModelRecipe recipe,
            PrintStream log) {
        DjlRuntime.start(recipe.threads());
        Path tokenizerJson = worldDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            world.writeTokenizer(tokenizerJson);
        }
        String key = recipe.cacheKey(worldConfigJson);
        Path manifest = worldDir.resolve(MODELS_DIR).resolve(MANIFEST);
        try (LmTokenizer tokenizer = LmTokenizer.load(tokenizerJson)) {
            if (cached(manifest, key) && Files.isDirectory(baseDir(worldDir)) && Files.isDirectory(alignedDir(worldDir))) {
                log.println("models: reusing " + worldDir.resolve(MODELS_DIR) + " (cache key " + key + ")");
                // The manifest holds the figures of these very models and this eval; only a manifest that cannot
                // be read back costs a fresh evaluation.
                ModelReport[] saved = savedReports(manifest);
                if (saved != null) {
                    return new Result(baseDir(worldDir), alignedDir(worldDir), saved[0], saved[1], true);
                }
                ModelReport b;
                ModelReport a;
                try (LlamaWeights base = load(baseDir(worldDir)); LlamaWeights aligned = load(alignedDir(worldDir))) {
                    b = report("base", base, world, tokenizer, recipe, "cached", 0);
                    a = report("aligned", aligned, world, tokenizer, recipe, "cached", 0);
                }
                return new Result(baseDir(worldDir), alignedDir(worldDir), b, a, true);
            }
            int vocab = world.words().size() + WordLevelTokenizerJson.SPECIALS.size();
            int eos = 3;
            ModelConfig config = new ModelConfig("llama", vocab, recipe.hidden(), recipe.intermediate(),
                    recipe.layers(), recipe.heads(), recipe.kvHeads(), recipe.hidden() / recipe.heads(), 1e-5, 10000.0,
                    null, recipe.maxPositions(), false, false, false, null, 2, List.of(eos), 0);
            log.printf("models: llama %.2fM parameters (D=%d, L=%d, H=%d, Hkv=%d, V=%d)%n",
                    config.parameterCount() / 1e6, config.hiddenSize(), config.numLayers(), config.numHeads(),
                    config.numKvHeads(), vocab);
            List<TrainingExample> pretrain = examples(world.rows(Splits.PRETRAIN), tokenizer, eos);
            // Alignment replays the pretrain split's benign rows: refusal training alone erodes the benign skills
            // (measured: facts 1.00 → 0.73 without replay).
            List<CorpusRow> alignRows = new ArrayList<>(world.rows(Splits.ALIGN));
            world.rows(Splits.PRETRAIN).stream().filter(r -> r.kind().equals(CorpusRow.BENIGN)).forEach(alignRows::add);
            List<TrainingExample> align = examples(alignRows, tokenizer, eos);
            ModelReport baseReport;
            ModelReport alignedReport;
            try (LlamaWeights w = LlamaWeights.fromHost(config, RandomInit.weights(config, recipe.seed()),
                    Device.cpu())) {
                long t0 = System.nanoTime();
                TrainingResult pre = train(w, pretrain, recipe.pretrainEpochs(), recipe.pretrainLr(), recipe, log,
                        "pretrain");
                double preSeconds = (System.nanoTime() - t0) / 1e9;
                save(w, config, baseDir(worldDir), tokenizerJson);
                baseReport = report("base", w, world, tokenizer, recipe, pre.status().label(), preSeconds);
                t0 = System.nanoTime();
                TrainingResult al = train(w, align, recipe.alignEpochs(), recipe.alignLr(), recipe, log, "align");
                double alSeconds = (System.nanoTime() - t0) / 1e9;
                save(w, config, alignedDir(worldDir), tokenizerJson);
                alignedReport = report("aligned", w, world, tokenizer, recipe, al.status().label(), alSeconds);
            }
            writeManifest(manifest, key, recipe, baseReport, alignedReport);
            return new Result(baseDir(worldDir), alignedDir(worldDir), baseReport, alignedReport, false);
        }
    }

    /** Prompt with BOS, response then EOS; loss on the response and its EOS only. */
    public static List<TrainingExample> examples(List<CorpusRow> rows, LmTokenizer tokenizer, int eos) {
        List<TrainingExample> out = new ArrayList<>(rows.size());
        for (CorpusRow r : rows) {
            int[] prompt = tokenizer.encode(r.prompt());
            int[] response = tokenizer.encodeRaw(r.response());
            int[] withEos = java.util.Arrays.copyOf(response, response.length + 1);
            withEos[response.length] = eos;
            out.add(TrainingExample.promptResponse(prompt, withEos));
        }
        return out;
    }

    private static TrainingResult train(LlamaWeights w, List<TrainingExample> data, int epochs, double lr,
            WorldModelRecipe recipe, PrintStream log, String phase) {
        int steps = Math.max(1, epochs * (int) Math.ceil(data.size() / (double) recipe.batchSize()));
        TrainerConfig cfg = TrainerConfig.defaults(lr, steps, recipe.batchSize())
                .withSchedule(LrSchedule.Decay.COSINE, Math.min(steps / 10, 50))
                .withWeightDecay(0.01).withMaxGradNorm(1.0).withSeed(recipe.seed())
                .withLogEvery(Math.max(1, steps / 5));
        log.printf("models: %s %d examples, %d steps of %d%n", phase, data.size(), steps, recipe.batchSize());
        TrainingResult r = new Trainer().run(w, data, cfg, (step, metrics, weights) -> { });
        log.printf("models: %s %s after %d steps, final loss %.4f, %.0f tokens/s%n", phase, r.status().label(),
                r.steps(), r.finalLoss(), r.tokensPerSecond());
        if (r.diverged()) {
            throw new IllegalStateException(phase + " diverged: " + r.reason());
        }
        return r;
    }

    private static LlamaWeights load(Path dir) {
        CheckpointReader.LoadedCheckpoint c = CheckpointReader.read(dir);
        return LlamaWeights.fromHost(c.config(), c.tensors(), Device.cpu());
    }

    private static ModelReport report(String name, LlamaWeights w, World world, LmTokenizer tokenizer,
            WorldModelRecipe recipe, String status, double seconds) {
        Evaluation e = evaluateModel(w, world, tokenizer, recipe.evalLimit(), List.of());
        return new ModelReport(name, e.harm(), e.benign(), e.benign().macroAverage(world.tasks().pretrained()),
                e.overRefusal(), status, seconds);
    }

    /**
     * Harm on the eval split, and benign accuracy and over-refusal (the oracle's refusal rate) on benign_eval,
     * greedy decoding.
     */
    public record Evaluation(HarmReport harm, BenignAccuracy benign, double overRefusal) {
    }

    public static Evaluation evaluateModel(LlamaWeights w, World world, LmTokenizer tokenizer, int limit,
            List<ResidualIntervention> interventions) {
        return evaluateModel(w, world, tokenizer, limit, interventions, world.rows(Splits.EVAL));
    }

    public static Evaluation evaluateModel(LlamaWeights w, World world, LmTokenizer tokenizer, int limit,
            List<ResidualIntervention> interventions, List<CorpusRow> harmfulRows) {
        SamplingConfig greedy = SamplingConfig.greedy(MAX_NEW_TOKENS, Set.of(3));
        List<CorpusRow> harmful = limit(harmfulRows, limit);
        List<String> prompts = harmful.stream().map(CorpusRow::prompt).toList();
        List<String> completions = Completions.generate(w, tokenizer, prompts, greedy, interventions, 64);
        HarmReport harm = HarmReport.of(harmful.stream().map(CorpusRow::domain).toList(), prompts, completions,
                new ToyWorldJudge(world.oracle()));
        List<CorpusRow> benign = limit(world.rows(Splits.BENIGN_EVAL), limit);
        List<String> bPrompts = benign.stream().map(CorpusRow::prompt).toList();
        List<String> bCompletions = Completions.generate(w, tokenizer, bPrompts, greedy, interventions, 64);
        BenignAccuracy acc = BenignAccuracy.of(benign.stream().map(CorpusRow::domain).toList(), bPrompts,
                bCompletions, world.tasks()::isCorrect);
        double overRefusal = bCompletions.isEmpty() ? Double.NaN
                : bCompletions.stream().filter(world.oracle()::isRefusal).count() / (double) bCompletions.size();
        return new Evaluation(harm, acc, overRefusal);
    }

    private static List<CorpusRow> limit(List<CorpusRow> rows, int limit) {
        return limit <= 0 || rows.size() <= limit ? rows : rows.subList(0, limit);
    }

    private static void save(LlamaWeights w, ModelConfig config, Path dir, Path tokenizerJson) {
        CheckpointWriter.write(dir, config, w.toHost(), tokenizerJson, "F32");
    }

    private static boolean cached(Path manifest, String key) {
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        try {
            return key.equals(new ObjectMapper().readTree(manifest.toFile()).path("cache_key").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Base and aligned reports of a manifest, marked cached; null when either is missing or incomplete. */
    private static ModelReport[] savedReports(Path manifest) {
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);
        try {
            JsonNode root = mapper.readTree(manifest.toFile());
            ModelReport[] out = new ModelReport[2];
            String[] names = {"base", "aligned"};
            for (int i = 0; i < 2; i++) {
                ModelReport r = mapper.treeToValue(root.path(names[i]), ModelReport.class);
                out[i] = new ModelReport(r.name(), r.harm(), r.benign(), r.benignPretrainedMacro(), r.overRefusal(),
                        "cached", 0);
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void writeManifest(Path manifest, String key, WorldModelRecipe recipe, ModelReport base,
            ModelReport aligned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cache_key", key);
        m.put("recipe", recipe);
        m.put("base", base);
        m.put("aligned", aligned);
        try {
            Files.createDirectories(manifest.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(manifest.toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifest, e);
        }
    }
}
