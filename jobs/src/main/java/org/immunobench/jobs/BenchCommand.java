package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.dedup.DedupBenchmark;
import org.immunobench.curation.dedup.SyntheticDedupCorpus;
import org.immunobench.jobs.bench.SparkOverheadBench;
import org.immunobench.jobs.curate.CurateBenchmark;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.bench.ConcurrentTrainingBenchmark;
import org.immunobench.training.bench.LmBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code immunobench bench}: prints throughput figures, first of the {@code lm} runtime alone, then of the
 * {@code score} job on a local Spark master against the same scoring done in one JVM
 * ({@link SparkOverheadBench}). Its subcommands: {@code dedup} ({@link DedupBenchmark}), {@code curate}
 * ({@link CurateBenchmark}) and {@code training} ({@link ConcurrentTrainingBenchmark}). Figures only; nothing is
 * asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Print throughput figures: the lm runtime alone, then the score job on local Spark versus"
            + " the same rows scored in one JVM on the same number of threads. Subcommands measure other parts."},
        subcommands = {BenchCommand.Dedup.class, BenchCommand.Curate.class, BenchCommand.Training.class})
final class BenchCommand implements Callable<Integer> {
    private static final Pattern LOCAL_N = Pattern.compile("local\\[(\\d+|\\*)]");

    @Spec
    private CommandSpec spec;

    @Option(names = "--master", defaultValue = "local[2]",
            description = "Local master; its N is both Spark's task slots and the in-JVM thread budget."
                    + " Default: ${DEFAULT-VALUE}.")
    private String master;

    @Option(names = "--rows", defaultValue = "2000", description = "Synthetic rows. Default: ${DEFAULT-VALUE}.")
    private int rows;

    @Option(names = "--tokens-per-row", defaultValue = "256",
            description = "Tokens per row, BOS included. Default: ${DEFAULT-VALUE}.")
    private int tokensPerRow;

    @Option(names = "--vocab-size", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    private int vocabSize;

    @Option(names = "--hidden", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    private int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
    private int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
    private int heads;

    @Option(names = "--intermediate", defaultValue = "344",
            description = "Default: ${DEFAULT-VALUE} (with the defaults above: the 1M-parameter model of"
                    + " bench/torch_llama_bench.py).")
    private int intermediate;

    @Option(names = "--max-batch-tokens", defaultValue = "2048",
            description = "Padded tokens per forward batch (2048 = 8 rows of 256). Default: ${DEFAULT-VALUE}.")
    private int maxBatchTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the model, input and outputs go (default: a temporary directory, deleted after).")
    private Path workDir;

    @Option(names = "--lm-sizes", paramLabel = "LIST", split = ",", defaultValue = "1M,10M,50M",
            description = "Model sizes of the lm-only part (B=8, T=256, threads = N of --master); empty to skip it."
                    + " Default: ${DEFAULT-VALUE}.")
    private List<String> lmSizes;

    @Override
    public Integer call() throws Exception {
        int slots = slots(master);
        SparkOverheadBench.Settings settings;
        ModelConfig config;
        try {
            if (vocabSize <= 4) {
                throw new IllegalArgumentException("--vocab-size must be > 4 (the special tokens), got " + vocabSize);
            }
            settings = new SparkOverheadBench.Settings(rows, tokensPerRow, slots, maxBatchTokens, 64, seed);
            config = ModelConfig.llama(vocabSize, hidden, intermediate, layers, heads, heads, tokensPerRow);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> sizes = lmSizes.stream().filter(x -> !x.isBlank()).toList();
        for (String size : sizes) {
            if (!LmBenchmark.SIZES.containsKey(size)) {
                throw new ParameterException(spec.commandLine(), "--lm-sizes: unknown size '" + size + "'; known: "
                        + LmBenchmark.SIZES.keySet());
            }
        }
        if (!sizes.isEmpty()) {
            out.println("lm runtime alone (training module's LmBenchmark):");
            out.flush();
            LmBenchmark.run(slots, sizes, 8, 256); // prints to System.out
        }
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("immunobench-bench") : Files.createDirectories(workDir);
        try {
            Path model = dir.resolve("model");
            List<String> words = InitModelCommand.syntheticWords(vocabSize - 4);
            config = InitModelCommand.writeCheckpoint(model, config, words, seed);
            out.printf("spark overhead of the score job: %d rows x %d tokens, model %.2fM parameters"
                    + " (V=%d D=%d L=%d H=%d I=%d), max batch tokens %d%n", rows, tokensPerRow,
                    config.parameterCount() / 1e6, vocabSize, hidden, layers, heads, intermediate, maxBatchTokens);
            out.flush();
            SparkSessions.Plan plan = SparkSessions.plan(new SparkConf(), master, Map.of(), DeviceChoice.cpu, 1);
            SparkSession spark = SparkSessions.open(plan, "immunobench bench");
            try {
                SparkOverheadBench.run(spark, model, SparkOverheadBench.syntheticTexts(words, rows, tokensPerRow,
                        seed), settings, dir, out);
            } finally {
                spark.stop();
            }
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
        return Cli.OK;
    }

    private int slots(String m) {
        if (m.equals("local")) {
            return 1;
        }
        Matcher matcher = LOCAL_N.matcher(m);
        if (!matcher.matches()) {
            throw new ParameterException(spec.commandLine(), "--master must be local, local[N] or local[*] (the"
                    + " bench compares Spark with one JVM on the same cores), got " + m);
        }
        return matcher.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(matcher.group(1));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Command(name = "dedup", mixinStandardHelpOptions = true,
            description = {"Rows/s of the dedup stages (decontamination, exact, MinHash, near duplicates) on a"
                + " synthetic corpus with planted duplicates."})
    static final class Dedup implements Callable<Integer> {
        @Option(names = "--rows", defaultValue = "1000000", description = "Default: ${DEFAULT-VALUE}.")
        private long rows;

        @Option(names = "--partitions", defaultValue = "8",
                description = "Input partitions. Default: ${DEFAULT-VALUE}.")
        private int partitions;

        @Option(names = "--shuffle-partitions", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
        private int shufflePartitions;

        @Option(names = "--master", defaultValue = "local[2]", description = "Default: ${DEFAULT-VALUE}.")
        private String master;

        @Option(names = "--seed", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
        private long seed;

        @Option(names = "--exact-rate", defaultValue = "0.01", description = "Default: ${DEFAULT-VALUE}.")
        private double exactRate;

        @Option(names = "--near-rate", defaultValue = "0.05", description = "Default: ${DEFAULT-VALUE}.")
        private double nearRate;

        @Option(names = "--far-rate", defaultValue = "0.01", description = "Default: ${DEFAULT-VALUE}.")
        private double farRate;

        @Option(names = "--eval-rate", defaultValue = "0.12", description = "Default: ${DEFAULT-VALUE}.")
        private double evalRate;

        @Option(names = "--log-level", defaultValue = "WARN",
                description = "Spark's log level (INFO shows its per-job times). Default: ${DEFAULT-VALUE}.")
        private String logLevel;

        @Override
        public Integer call() {
            DedupBenchmark.run(new DedupBenchmark.Options(rows, partitions, shufflePartitions, master, seed,
                    new SyntheticDedupCorpus.Rates(exactRate, nearRate, farRate, evalRate), logLevel));
            return Cli.OK;
        }
    }

    @Command(name = "curate", mixinStandardHelpOptions = true,
            description = {"Rows/s of every non-model curate stage over a toy world, then tokens/s of the perplexity"
                + " stage under two random ~1M-parameter Llamas."})
    static final class Curate implements Callable<Integer> {
        @Option(names = "--work", defaultValue = "/tmp/immunobench-curate-bench", paramLabel = "DIR",
                description = "World, outputs and models; an existing DIR/world is reused. Default: ${DEFAULT-VALUE}.")
        private Path work;

        @Option(names = "--world", defaultValue = "big",
                description = "big (about 1.08M rows) or default. Default: ${DEFAULT-VALUE}.")
        private String world;

        @Option(names = "--master", defaultValue = "local[2]", description = "Default: ${DEFAULT-VALUE}.")
        private String master;

        @Option(names = "--ppl-rows", defaultValue = "20000", description = "Default: ${DEFAULT-VALUE}.")
        private int pplRows;

        @Option(names = "--hidden", description = "Hidden size of the model over the world's tokenizer (default:"
                + " the multiple of 8 nearest 1M parameters).")
        private Integer hidden;

        @Option(names = "--layers", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
        private int layers;

        @Option(names = "--skip-curate", description = "Only the perplexity part.")
        private boolean skipCurate;

        @Option(names = "--skip-ppl", description = "Only the non-model stages.")
        private boolean skipPpl;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!world.equals("big") && !world.equals("default")) {
                throw new ParameterException(spec.commandLine(), "--world must be big or default, got " + world);
            }
            CurateBenchmark.run(new CurateBenchmark.Options(work, world, master, pplRows, hidden, layers, skipCurate,
                    skipPpl));
            return Cli.OK;
        }
    }

    @Command(name = "training", mixinStandardHelpOptions = true,
            description = {"Training tokens/s of trainers sharing one JVM: one trainer on 1 and on 2 libtorch"
                + " threads, then two trainers at once on one thread each."})
    static final class Training implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "150", description = "Steps per run. Default: ${DEFAULT-VALUE}.")
        private int steps;

        @Option(names = "--warmup", defaultValue = "30",
                description = "Warm-up steps per setting. Default: ${DEFAULT-VALUE}.")
        private int warmup;

        @Option(names = "--batch", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
        private int batch;

        @Override
        public Integer call() throws Exception {
            ConcurrentTrainingBenchmark.run(steps, warmup, batch);
            return Cli.OK;
        }
    }
}
