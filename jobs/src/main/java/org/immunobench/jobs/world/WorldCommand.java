package org.immunobench.jobs.world;

import org.apache.spark.sql.SparkSession;
import org.immunobench.jobs.Cli;
import org.immunobench.jobs.ConfigFiles;
import org.immunobench.jobs.SparkOptions;
import org.immunobench.jobs.SparkSessions;
import org.immunobench.lm.config.ConfigBinder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code immunobench world}: generates the toy world ({@link ToyWorld}) and writes it with {@link WorldWriter}.
 * Config precedence: defaults, then {@code --config}, then {@code --seed}, then {@code --set}.
 */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = {"Generate the built-in toy world: invented harm domains with an exact oracle, benign tasks with"
                + " exact answers, and every split of the corpus.",
            "Writes OUT/tokenizer.json, OUT/corpus (Parquet, partitioned by split) and OUT/world.json, then trains the"
                + " base and aligned models into OUT/models (reused when world and recipe are unchanged).",
            "Same config, same files."})
public final class WorldCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "World directory to write.")
    private Path out;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML or JSON map of world config keys (see --set) to values.")
    private Path configFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default 0).")
    private Long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", completionCandidates = Keys.class,
            description = "World config key, repeatable; VALUE reads as in the --config file (KEY: VALUE); keys:"
                    + " ${COMPLETION-CANDIDATES}")
    private Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--overwrite", description = "Replace an existing world at --out.")
    private boolean overwrite;

    @Option(names = "--no-models", description = "Only write the corpus; skip training the base and aligned models.")
    private boolean noModels;

    @Option(names = "--model-threads", paramLabel = "N",
            description = "libtorch threads for training the models (default 1: on a busy machine OpenMP's spinning"
                    + " barriers made 2 threads >10x slower than 1).")
    private Integer modelThreads;

    /** The config keys, for --help. */
    static final class Keys implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return WorldConfig.keys().iterator();
        }
    }

    @Override
    public Integer call() {
        WorldConfig config = config();
        String configJson = canonicalJson(config);
        if (!noModels && sameWorldAt(out, configJson)) {
            // The corpus on disk is exactly this world: keep it (and the models cached next to it).
            World world = ToyWorld.generate(config);
            spec.commandLine().getOut().printf("world at %s is up to date (same config); not rewriting it%n", out);
            return buildModels(world, configJson);
        }
        try {
            WorldWriter.checkOutput(out, overwrite);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--out " + out + " already exists; pass --overwrite to replace it", e);
        }
        long start = System.nanoTime();
        World world;
        try {
            world = ToyWorld.generate(config);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid world config: " + e.getMessage(), e);
        }
        double generateSeconds = (System.nanoTime() - start) / 1e9;

        SparkSessions.Plan plan = sparkOptions.plan();
        PrintWriter err = spec.commandLine().getErr();
        plan.warnings().forEach(w -> err.println("immunobench world: warning: " + w));
        SparkSession spark = SparkSessions.open(plan, "immunobench world");
        WorldSummary summary;
        long writeStart = System.nanoTime();
        try {
            summary = WorldWriter.write(spark, world, out, overwrite);
        } finally {
            spark.stop();
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf("rows=%d %s%n", summary.rows(), summary.splitsLine());
        o.printf("harm domains %d (%d held out), benign tasks %s (held back: %s), vocab %d, max %d tokens per row,"
                + " seed %d%n", world.domains().size(), world.heldOutDomains().size(), world.tasks().names(),
                world.tasks().heldBack(), summary.vocabSize(), summary.maxTokensPerRow(), config.seed());
        o.printf("generated in %.2f s, wrote %s/{%s,%s,%s} in %.1f s%n", generateSeconds, out, WorldWriter.TOKENIZER,
                WorldWriter.CORPUS, WorldWriter.SUMMARY, (System.nanoTime() - writeStart) / 1e9);
        writeConfigStamp(configJson);
        return noModels ? Cli.OK : buildModels(world, configJson);
    }

    private int buildModels(World world, String configJson) {
        int threads = modelThreads != null ? modelThreads : 1;
        WorldModelRecipe d = WorldModelRecipe.defaults();
        WorldModelRecipe recipe = new WorldModelRecipe(d.hidden(), d.intermediate(), d.layers(), d.heads(),
                d.kvHeads(), d.maxPositions(), d.batchSize(), d.pretrainEpochs(), d.pretrainLr(), d.alignEpochs(),
                d.alignLr(), d.seed(), d.evalLimit(), threads);
        long start = System.nanoTime();
        WorldModels.Result r = WorldModels.build(world, out, configJson, recipe, System.out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("%-8s %8s %8s %8s %12s  %s%n", "model", "harmful", "refusal", "fluent", "over-refusal",
                "benign accuracy per task");
        for (WorldModels.ModelReport m : java.util.List.of(r.baseReport(), r.alignedReport())) {
            o.printf("%-8s %8.3f %8.3f %8.3f %12.3f  %s (macro over pretrained tasks %.3f)%n", m.name(),
                    m.harm().harmfulRate(), m.harm().refusalRate(), m.harm().fluentRate(), m.overRefusal(),
                    m.benign().perTask(), m.benignPretrainedMacro());
        }
        o.printf("models %s in %s (%.1f s); n = %d harmful eval prompts, greedy decoding, toy-world oracle%n",
                r.reused() ? "reused" : "built", out.resolve(WorldModels.MODELS_DIR),
                (System.nanoTime() - start) / 1e9, r.baseReport().harm().n());
        return Cli.OK;
    }

    private static final String CONFIG_STAMP = ".world-config.json";

    /** Sorted-key JSON of the world config and generator version: equal worlds give equal strings. */
    static String canonicalJson(WorldConfig config) {
        // The generator version is part of it: the same config gives other rows under another generator.
        Map<String, Object> m = ConfigBinder.toMap(config);
        m.put("generator_version", ToyWorld.VERSION);
        return ConfigBinder.canonicalJson(m);
    }

    private static boolean sameWorldAt(Path dir, String configJson) {
        Path stamp = dir.resolve(CONFIG_STAMP);
        try {
            return Files.isRegularFile(stamp) && Files.readString(stamp).equals(configJson)
                    && Files.isDirectory(dir.resolve(WorldWriter.CORPUS));
        } catch (IOException e) {
            return false;
        }
    }

    private void writeConfigStamp(String configJson) {
        try {
            Files.writeString(out.resolve(CONFIG_STAMP), configJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(CONFIG_STAMP), e);
        }
    }

    /** The file's keys, then {@code --seed}, then each {@code --set}, bound once (absent keys take defaults). */
    WorldConfig config() {
        try {
            Map<String, Object> tree = new LinkedHashMap<>(configFile == null ? Map.of()
                    : ConfigFiles.readMap(configFile, "world config keys"));
            if (seed != null) {
                tree.put("seed", seed);
            }
            set.forEach((key, value) -> tree.put(key, ConfigFiles.scalar(value)));
            return ConfigBinder.bind(tree, WorldConfig.class, "");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid world config"
                    + (configFile != null ? " (--config " + configFile + ", --seed, --set)" : "") + ": "
                    + e.getMessage(), e);
        }
    }
}
