package org.immunobench.jobs.bench;

import org.apache.spark.sql.SparkSession;
import org.immunobench.jobs.ExecutorModelCache;
import org.immunobench.jobs.score.InputFormat;
import org.immunobench.jobs.score.ScoreJob;
import org.immunobench.jobs.score.ScoreSummary;
import org.immunobench.lm.CausalLm;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How much the Spark wiring of {@code score} costs over scoring in one JVM, on the same cores.
 *
 * <p>With {@code local[N]}, Spark runs N tasks at once and each task's libtorch ops use one intra-op thread (the
 * job's default: threads = spark.task.cpus = 1), so N threads in all. The in-JVM baselines use the same N threads
 * two ways: one scorer with N intra-op threads (what a single-process user would do), and N Java threads with one
 * scorer each at one intra-op thread (the same parallelism shape as Spark, so the difference is Spark's own cost:
 * JSONL parsing, serialisation, Parquet writing and scheduling). The overhead ratio divides the faster baseline by
 * Spark. Every run is preceded by a warm-up so model loading and first-shape costs are excluded on both sides.
 * Figures are scored tokens per second (a row of T tokens scores T - 1).
 */
public final class SparkOverheadBench {
    /** Rows a scorer call gets at once, as in the job. */
    private static final int CHUNK_ROWS = ScoreJob.Settings.DEFAULT_CHUNK_ROWS;

    /**
     * @param rows synthetic rows
     * @param tokensPerRow tokens per row including BOS
     * @param slots N of local[N]: concurrent Spark tasks and the in-JVM thread budget
     */
    public record Settings(int rows, int tokensPerRow, int slots, int maxBatchTokens, int maxBatchSize, long seed) {
        public Settings {
            if (rows <= 0 || tokensPerRow < 2 || slots <= 0 || maxBatchTokens <= 0 || maxBatchSize <= 0) {
                throw new IllegalArgumentException("bench settings must be positive (tokens per row >= 2): " + rows
                        + " rows, " + tokensPerRow + " tokens/row, " + slots + " slots");
            }
        }
    }

    /** Scored tokens per second of each way of running. */
    public record Result(double directOneScorer, double directPerThread, double sparkScoreAndWrite,
            double sparkWholeJob, long tokens) {
        public double overhead() {
            return Math.max(directOneScorer, directPerThread) / sparkScoreAndWrite;
        }
    }

    private SparkOverheadBench() {
    }

    /** Synthetic texts: {@code tokensPerRow - 1} words each (the tokenizer adds BOS), drawn from {@code words}. */
    public static List<String> syntheticTexts(List<String> words, int rows, int tokensPerRow, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            StringBuilder sb = new StringBuilder();
            for (int t = 0; t < tokensPerRow - 1; t++) {
                if (t > 0) {
                    sb.append(' ');
                }
                sb.append(words.get(rng.nextInt(words.size())));
            }
            out.add(sb.toString());
        }
        return out;
    }

    public static Result run(SparkSession spark, Path model, List<String> texts, Settings s, Path workDir,
            PrintWriter log) throws Exception {
        Path input = workDir.resolve("bench-input.jsonl");
        Path warmInput = workDir.resolve("bench-warmup.jsonl");
        writeJsonl(input, texts);
        writeJsonl(warmInput, texts.subList(0, Math.min(texts.size(), 4 * s.slots())));
        RuntimeOptions base = RuntimeOptions.cpu().withBatching(s.maxBatchTokens(), s.maxBatchSize());
        // Other processes on the cores distort every figure below, the multi-threaded scorer's most.
        log.printf("load average before: %.2f on %d cores%n", loadAverage(),
                Runtime.getRuntime().availableProcessors());

        RuntimeOptions sparkOptions = base.withThreads(1);
        runJob(spark, model, warmInput, workDir.resolve("warmup-out"), sparkOptions, s.slots());
        ScoreSummary job = runJob(spark, model, input, workDir.resolve("spark-out"), sparkOptions, s.slots());
        double sparkScore = job.tokensPerSecond();
        double sparkWhole = job.tokensScored() / job.totalSeconds();
        log.printf("spark %s, %d tasks x 1 intra-op thread: %.0f tok/s scoring+writing (%.1f s), %.0f tok/s whole"
                + " job incl. recounts (%.1f s)%n", spark.sparkContext().master(), s.slots(), sparkScore,
                job.scoreSeconds(), sparkWhole, job.totalSeconds());
        ExecutorModelCache.closeAll();

        double one;
        long tokens;
        try (CausalLm lm = CausalLm.load(model, base.withThreads(s.slots()))) {
            scoreDirect(lm, texts.subList(0, Math.min(texts.size(), 4 * s.slots())));
            long t0 = System.nanoTime();
            tokens = scoreDirect(lm, texts);
            one = tokens / ((System.nanoTime() - t0) / 1e9);
        }
        log.printf("direct, 1 scorer x %d intra-op threads: %.0f tok/s%n", s.slots(), one);

        double perThread;
        try (CausalLm lm = CausalLm.load(model, base.withThreads(1))) {
            ExecutorService pool = Executors.newFixedThreadPool(s.slots());
            try {
                List<List<String>> shares = split(texts, s.slots());
                awaitAll(pool, shares.stream().map(sh -> sh.subList(0, Math.min(sh.size(), 4))).toList(), lm);
                long t0 = System.nanoTime();
                long n = awaitAll(pool, shares, lm);
                perThread = n / ((System.nanoTime() - t0) / 1e9);
            } finally {
                pool.shutdownNow();
            }
        }
        log.printf("direct, %d threads x 1 scorer x 1 intra-op thread: %.0f tok/s%n", s.slots(), perThread);
        Result r = new Result(one, perThread, sparkScore, sparkWhole, tokens);
        if (job.tokensScored() != tokens) {
            throw new IllegalStateException("spark scored " + job.tokensScored() + " tokens, direct " + tokens);
        }
        log.printf("overhead: best direct / spark (scoring+writing) = %.2fx; load average after: %.2f%n",
                r.overhead(), loadAverage());
        log.flush();
        return r;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static ScoreSummary runJob(SparkSession spark, Path model, Path input, Path out, RuntimeOptions options,
            int partitions) {
        return ScoreJob.run(spark, new ScoreJob.Settings(model.toString(), input.toString(), out.toString(),
                InputFormat.JSONL, options, org.immunobench.jobs.DeviceChoice.cpu, partitions, CHUNK_ROWS, true));
    }

    /** Scores texts in job-sized chunks with one scorer; returns scored tokens. */
    private static long scoreDirect(CausalLm lm, List<String> texts) {
        LmTokenizer tok = lm.tokenizer();
        Scorer scorer = lm.scorer();
        long tokens = 0;
        for (int from = 0; from < texts.size(); from += CHUNK_ROWS) {
            List<ScoringInput> inputs = new ArrayList<>();
            for (String t : texts.subList(from, Math.min(texts.size(), from + CHUNK_ROWS))) {
                inputs.add(tok.forText(t));
            }
            for (SequenceScore sc : scorer.score(inputs)) {
                tokens += sc.nTokens();
            }
        }
        return tokens;
    }

    private static long awaitAll(ExecutorService pool, List<List<String>> shares, CausalLm lm) throws Exception {
        List<Future<Long>> futures = new ArrayList<>();
        for (List<String> share : shares) {
            futures.add(pool.submit(() -> scoreDirect(lm, share)));
        }
        long n = 0;
        for (Future<Long> f : futures) {
            n += f.get();
        }
        return n;
    }

    private static List<List<String>> split(List<String> texts, int parts) {
        List<List<String>> out = new ArrayList<>();
        int per = (texts.size() + parts - 1) / parts;
        for (int from = 0; from < texts.size(); from += per) {
            out.add(texts.subList(from, Math.min(texts.size(), from + per)));
        }
        return out;
    }

    private static void writeJsonl(Path file, List<String> texts) {
        StringBuilder sb = new StringBuilder();
        for (String t : texts) {
            sb.append("{\"text\":\"").append(t).append("\"}\n"); // synthetic words need no JSON escaping
        }
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
