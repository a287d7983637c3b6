package org.immunobench.jobs.curate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.curate.Checkpoints;
import org.immunobench.curation.curate.CurateConfig;
import org.immunobench.curation.perplexity.PerplexityConfig;
import org.immunobench.curation.report.CurateReport;
import org.immunobench.curation.report.StageReport;
import org.immunobench.jobs.SparkSessions;
import org.immunobench.jobs.world.ToyWorld;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldConfig;
import org.immunobench.jobs.world.WorldWriter;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Throughput of the curate job on the toy world, at {@code local[2]} by default: rows/s of every non-model stage
 * (read + validate, decontamination, exact and near dedup, a balance_domains policy, writing) over the whole
 * world, then tokens/s of the perplexity stage alone on a sample under two randomly initialised ~1M-parameter
 * Llamas (throughput does not depend on what the weights learned), one libtorch thread per task: one over the world's
 * tokenizer (22k words for the big world, so mostly embeddings), and one of the 1M-parameter anchor shape, whose
 * eager-PyTorch figure the note quotes (docs/engine-notes.md, throughput reference points).
 *
 * <p>Run it with {@code immunobench bench curate} (its {@code --help} lists the options); an existing
 * {@code WORK/world} is reused.
 */
public final class CurateBenchmark {
    /** The world of about 1.08M rows (generates in ~25 s with ~4.6 GB of heap). */
    static final Map<String, Object> BIG_WORLD = bigWorld();

    private CurateBenchmark() {
    }

    /**
     * @param work where the world, the curated output and the models go
     * @param world {@code big} (about 1.08M rows) or {@code default}
     * @param pplRows rows of the perplexity sample
     * @param hidden the 1M model's hidden size over the world's tokenizer, or null for the multiple of 8 nearest
     *     1M parameters
     * @param layers its layers
     */
    public record Options(Path work, String world, String master, int pplRows, Integer hidden, int layers,
            boolean skipCurate, boolean skipPpl) {
    }

    public static void run(Options o) throws Exception {
        Path work = o.work().toAbsolutePath();
        Files.createDirectories(work);
        SparkSessions.Plan plan = SparkSessions.plan(new SparkConf(), o.master(),
                Map.of(), org.immunobench.jobs.DeviceChoice.cpu, 1);
        SparkSession spark = SparkSessions.open(plan, "curate-benchmark");
        System.out.printf("curate benchmark: master=%s cores=%d maxHeap=%dMB work=%s%n", plan.master(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, work);
        try {
            Path worldDir = work.resolve("world");
            if (!Files.isDirectory(worldDir.resolve(WorldWriter.CORPUS))) {
                writeWorld(spark, worldDir, o.world());
            } else {
                System.out.println("reusing world " + worldDir);
            }
            if (!o.skipCurate()) {
                curate(spark, worldDir, work.resolve("curated"));
            }
            if (!o.skipPpl()) {
                int rows = o.pplRows();
                Dataset<Row> sample = sample(spark, worldDir, rows);
                Path tokenizer = worldDir.resolve(WorldWriter.TOKENIZER);
                int vocab = new ObjectMapper().readTree(tokenizer.toFile()).at("/model/vocab").size();
                perplexity(spark, sample, work, "world tokenizer", tokenizer, nearestMillion(vocab,
                        o.hidden(), o.layers()));
                // The 1M anchor shape (docs/engine-notes.md). Its 508 words cover little of the world, but the
                // tokenizer is word-level, so every row has exactly as many tokens as under the world's own tokenizer.
                Path anchorWords = work.resolve("anchor-tokenizer.json");
                WordLevelTokenizerJson.write(anchorWords, syntheticWords(512 - WordLevelTokenizerJson.SPECIALS.size()));
                perplexity(spark, sample, work, "1M anchor shape (V 512, D 128, I 344, 4 layers, 4 heads)",
                        anchorWords, ModelConfig.llama(512, 128, 344, 4, 4, 4, 512).withSpecialTokens(2, List.of(3),
                                0));
            }
        } finally {
            spark.stop();
        }
    }

    private static void writeWorld(SparkSession spark, Path dir, String size) {
        WorldConfig config = size.equals("big") ? WorldConfig.defaults().with(BIG_WORLD) : WorldConfig.defaults();
        long t0 = System.nanoTime();
        World world = ToyWorld.generate(config);
        double gen = seconds(t0);
        t0 = System.nanoTime();
        long rows = WorldWriter.write(spark, world, dir).rows();
        System.out.printf("world: %d rows, generated in %.1f s, written in %.1f s (not a curate stage)%n", rows, gen,
                seconds(t0));
    }

    /** The job without a reference model: every stage but 5 and 6a. */
    private static void curate(SparkSession spark, Path worldDir, Path out) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("out", out.toString());
        file.put("sources", List.of(Map.of("name", "toy", "format", "corpus", "path",
                worldDir.resolve(WorldWriter.CORPUS).toString())));
        file.put("policies", List.of(Map.of("balance_domains", Map.of("max_per_domain", "min", "splits",
                List.of("attack")))));
        CurateConfig config = CurateConfig.resolve(file);
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        CurateReport report = CurateJob.run(spark, config, new CurateJob.Settings(RuntimeOptions.cpu().withThreads(1),
                org.immunobench.jobs.DeviceChoice.cpu, true, s -> System.out.print(s)));
        double wall = seconds(t0);
        double cpu = (cpuNanos() - c0) / 1e9;
        long rowsIn = report.total().rowsIn();
        System.out.printf("%n%-16s %10s %9s %10s%n", "stage", "rows in", "seconds", "rows/s");
        double stagesSeconds = 0;
        for (StageReport s : report.stages()) {
            if (s.skipped() || s.seconds() == 0) {
                continue;
            }
            long in = s.counts().total().rowsIn();
            stagesSeconds += s.seconds();
            System.out.printf("%-16s %10d %9.1f %10.0f%n", s.stage(), in, s.seconds(), in / s.seconds());
        }
        double write = ((Number) report.run().get("write_seconds")).doubleValue();
        System.out.printf("%-16s %10d %9.1f %10.0f%n", "write outputs", report.total().kept(), write,
                report.total().kept() / write);
        System.out.printf("%-16s %10d %9.1f %10.0f   (stages + write)%n", "non-model total", rowsIn,
                stagesSeconds + write, rowsIn / (stagesSeconds + write));
        System.out.printf("%-16s %10d %9.1f %10.0f   (whole job incl. accounting, report, plots; %.0f s process"
                + " CPU)%n", "job wall", rowsIn, wall, rowsIn / wall, cpu);
        System.out.println("accounting: " + (report.holds() ? "holds" : "BROKEN") + " — rows in " + rowsIn
                + " = kept " + report.total().kept() + " + quarantined " + report.total().quarantined()
                + " + dropped " + report.total().droppedTotal());
    }

    /** A fixed sample of the world's rows, checkpointed so sampling stays out of the timed stage. */
    private static Dataset<Row> sample(SparkSession spark, Path worldDir, int rows) {
        Dataset<Row> all = WorldWriter.readCorpus(spark, worldDir);
        long total = all.count();
        Dataset<Row> sample = Checkpoints.cut(all.sample(false, Math.min(1.0, 1.2 * rows / (double) total), 1L)
                .orderBy(col("id")).limit(rows).select(CurateJob.corpusColumns()));
        check(sample.schema().fieldNames().length == CorpusSchema.CORPUS.size(), "sample has corpus columns");
        System.out.printf("%nperplexity sample: %d rows of %d%n", sample.count(), total);
        return sample;
    }

    /** Stage 5 alone on the sample, with a fresh random model of {@code config} over {@code tokenizer}. */
    private static void perplexity(SparkSession spark, Dataset<Row> sample, Path work, String what, Path tokenizer,
            ModelConfig config) {
        Path model = work.resolve("model-v" + config.vocabSize() + "-d" + config.hiddenSize() + "-l"
                + config.numLayers());
        if (!Files.isRegularFile(model.resolve("model.safetensors"))) {
            CheckpointWriter.write(model, config, RandomInit.weights(config, 0), tokenizer, "F32");
        }
        Map<String, Long> rowsIn = StageTally.bySource(sample);
        PerplexityStage.Result s = PerplexityStage.run(spark, sample, List.copyOf(rowsIn.keySet()), rowsIn,
                model.toString(), PerplexityConfig.defaults(),
                new CurateJob.Settings(RuntimeOptions.cpu().withThreads(1),
                        org.immunobench.jobs.DeviceChoice.cpu, false, null));
        int tasks = spark.sparkContext().defaultParallelism();
        System.out.printf("perplexity [%s]: llama vocab %d, hidden %d, %d layers, %d heads, intermediate %d:"
                + " %.2fM parameters, 1 libtorch thread per task, %d tasks%n", what, config.vocabSize(),
                config.hiddenSize(), config.numLayers(), config.numHeads(), config.intermediateSize(),
                config.parameterCount() / 1e6, tasks);
        System.out.printf("perplexity [%s]: %s%n", what, s.summary());
        System.out.printf("perplexity [%s]: %.0f scored tok/s over the stage (%.1f s); forward %.0f tok/s per"
                + " task, about %.0f with %d tasks%n", what, s.tokensPerSecond(), s.seconds(),
                s.forwardTokensPerSecond(), s.forwardTokensPerSecond() * tasks, tasks);
    }

    /** With {@code hidden} null: the multiple of 8 whose parameter count is nearest 1M. */
    private static ModelConfig nearestMillion(int vocab, Integer hidden, int layers) {
        ModelConfig config = null;
        for (int d = 8; d <= 512; d += 8) {
            if (hidden != null && d != hidden) {
                continue;
            }
            ModelConfig c = llama(vocab, d, layers);
            if (config == null || Math.abs(c.parameterCount() - 1e6) < Math.abs(config.parameterCount() - 1e6)) {
                config = c;
            }
        }
        if (config == null) {
            throw new IllegalArgumentException("--hidden must be a multiple of 8 in [8, 512], got " + hidden);
        }
        return config;
    }

    private static List<String> syntheticWords(int n) {
        List<String> w = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add("w" + i);
        }
        return w;
    }

    private static ModelConfig llama(int vocab, int hidden, int layers) {
        int heads = Math.max(1, hidden / 8);
        int inner = (hidden * 8 / 3 + 7) / 8 * 8;
        return ModelConfig.llama(vocab, hidden, inner, layers, heads, heads, 512).withSpecialTokens(2, List.of(3), 0);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }

    private static Map<String, Object> bigWorld() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("harmDomains", 100);
        m.put("verbsPerDomain", 10);
        m.put("targetsPerDomain", 12);
        m.put("toolsPerDomain", 6);
        m.put("materialsPerDomain", 6);
        m.put("pretrainHarmfulPerDomain", 6500);
        m.put("alignHarmfulPerDomain", 1000);
        m.put("attackPerDomain", 1000);
        m.put("evalPerDomain", 200);
        m.put("heldoutInDomainPerDomain", 200);
        m.put("heldoutDomainPerDomain", 2000);
        m.put("entities", 15000);
        m.put("reviewItems", 3000);
        m.put("maxOperand", 99);
        m.put("pretrainBenignPerTask", 50000);
        m.put("alignBenignPerTask", 5000);
        m.put("benignTrain", 20000);
        m.put("benignEvalPerTask", 2000);
        return m;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
