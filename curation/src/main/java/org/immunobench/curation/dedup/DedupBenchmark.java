package org.immunobench.curation.dedup;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.immunobench.curation.corpus.CorpusSchema;

import java.lang.management.ManagementFactory;
import java.util.Iterator;

/**
 * Throughput of the dedup stages on a synthetic corpus with planted duplicates ({@link SyntheticDedupCorpus}), on
 * {@code local[2]} by default: decontamination, exact dedup, MinHash signatures, and candidates + verification +
 * components, in that order (see {@link Decontamination} for why it goes first), each materialised before the next
 * so the figures separate. Prints rows/s per stage, with wall and process CPU seconds.
 *
 * <p>Run it with {@code immunobench bench dedup} (its {@code --help} lists the options).
 */
public final class DedupBenchmark {
    private DedupBenchmark() {
    }

    /**
     * @param rows corpus rows to generate
     * @param partitions input partitions
     * @param shufflePartitions {@code spark.sql.shuffle.partitions}
     * @param master a Spark master (the benchmark opens its own session)
     * @param rates planted duplicate rates of the synthetic corpus
     * @param logLevel Spark's log level while it runs (INFO shows Spark's per-job times)
     */
    public record Options(long rows, int partitions, int shufflePartitions, String master, long seed,
            SyntheticDedupCorpus.Rates rates, String logLevel) {
    }

    public static void run(Options o) {
        long n = o.rows();
        int partitions = o.partitions();
        long seed = o.seed();
        SyntheticDedupCorpus.Rates rates = o.rates();
        MinHashConfig config = MinHashConfig.defaults().withSeed(seed);

        SparkSession spark = SparkSession.builder()
                .appName("dedup-benchmark")
                .master(o.master())
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", String.valueOf(o.shufflePartitions()))
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "localhost")
                .getOrCreate();
        spark.sparkContext().setLogLevel(o.logLevel());
        System.out.printf("dedup benchmark: rows=%d partitions=%d master=%s cores=%d maxHeap=%dMB config=%s%n", n,
                partitions, spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, config);
        System.out.printf("banding threshold (1/b)^(1/r)=%.3f, P(candidate | J=0.80)=%.3f, P(candidate | J=0.85)=%.3f%n",
                config.bandingThreshold(), config.candidateProbability(0.80), config.candidateProbability(0.85));

        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        Dataset<Row> rows = generate(spark, n, partitions, seed, rates, config.shingleSize())
                .persist(StorageLevel.MEMORY_AND_DISK());
        long generated = rows.count();
        report("generate (not a stage)", generated, t0, c0, "");

        // Stage outputs are checkpointed, not persisted: see Lineage. Decontamination first: exact and near dedup are split-agnostic and would otherwise resolve an
        // eval/training duplicate pair by dropping whichever row has the larger id, eval rows included.
        t0 = System.nanoTime();
        c0 = cpuNanos();
        Decontamination.Result decon = Decontamination.run(rows, config);
        Dataset<Row> clean = decon.kept().localCheckpoint();
        long cleanN = clean.count();
        long deconDropped = decon.dropped().count();
        report("decontamination", generated, t0, c0, "kept=" + cleanN + " dropped=" + deconDropped + " "
                + decon.stats());

        t0 = System.nanoTime();
        c0 = cpuNanos();
        ExactDuplicates.Result exact = ExactDuplicates.run(clean);
        Dataset<Row> exactKept = exact.kept().localCheckpoint();
        long exactKeptN = exactKept.count();
        long exactDropped = exact.dropped().count();
        report("exact dedup", cleanN, t0, c0, "kept=" + exactKeptN + " dropped=" + exactDropped);

        t0 = System.nanoTime();
        c0 = cpuNanos();
        Dataset<Row> keys = NearDuplicates.signatures(exactKept, config).localCheckpoint();
        long keyRows = keys.count();
        report("minhash signatures", exactKeptN, t0, c0, "band keys=" + keyRows);

        t0 = System.nanoTime();
        c0 = cpuNanos();
        NearDuplicates.Result near = NearDuplicates.run(exactKept, keys, config);
        long nearKept = near.kept().count();
        long nearDropped = near.dropped().count();
        report("candidates+verify+components", exactKeptN, t0, c0, "kept=" + nearKept + " dropped=" + nearDropped
                + " " + near.stats());

        long planted = 0;
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(seed);
        for (long i = 0; i < n; i++) {
            if (corpus.kind(i, rates) == SyntheticDedupCorpus.Kind.NEAR_VARIANT) {
                planted++;
            }
        }
        System.out.printf("planted near variants=%d (plus exact copies and far variants); rows %d = kept %d"
                + " + contaminating %d + exact %d + near %d : %s%n", planted, generated, nearKept, deconDropped,
                exactDropped, nearDropped,
                generated == nearKept + deconDropped + exactDropped + nearDropped ? "holds" : "BROKEN");
        spark.stop();
    }

    static Dataset<Row> generate(SparkSession spark, long n, int partitions, long seed,
            SyntheticDedupCorpus.Rates rates, int shingleSize) {
        return spark.range(0, n, 1, partitions).mapPartitions((MapPartitionsFunction<Long, Row>) it -> {
            SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(seed);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Row next() {
                    return CorpusSchema.toRow(corpus.row(it.next(), rates, shingleSize));
                }
            };
        }, Encoders.row(CorpusSchema.CORPUS));
    }

    /** Wall time and this process's CPU time: on a shared machine the second shows how much CPU the stage got. */
    private static void report(String stage, long inputRows, long startNanos, long startCpu, String detail) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        double cpu = (cpuNanos() - startCpu) / 1e9;
        System.out.printf("%-30s %9d rows %7.1f s wall %7.1f s cpu %9.0f rows/s  %s%n", stage, inputRows, s, cpu,
                inputRows / s, detail);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
