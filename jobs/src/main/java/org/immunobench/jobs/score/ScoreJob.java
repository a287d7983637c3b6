package org.immunobench.jobs.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.ModelSpec;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * The {@code score} job: perplexity of every row of a JSONL or Parquet file under one model. Wiring only: parsing
 * is {@link ScoreInputParser}, scoring is {@link PartitionScorer} over the {@code lm} runtime.
 *
 * <p>Writes {@code OUT/scores} (id, n_tokens, nll_sum, nll_mean, ppl), {@code OUT/quarantine} (source, line, raw,
 * reason) and {@code OUT/summary.json}. Rows read are counted from the input itself and rows written from the
 * output files; the job fails unless read = scored + quarantined.
 */
public final class ScoreJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

    public static final StructType SCORES_SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("n_tokens", DataTypes.IntegerType, false),
        DataTypes.createStructField("nll_sum", DataTypes.DoubleType, false),
        DataTypes.createStructField("nll_mean", DataTypes.DoubleType, false),
        DataTypes.createStructField("ppl", DataTypes.DoubleType, false)});

    public static final StructType QUARANTINE_SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("source", DataTypes.StringType, false),
        DataTypes.createStructField("line", DataTypes.LongType, false),
        DataTypes.createStructField("raw", DataTypes.StringType, true),
        DataTypes.createStructField("reason", DataTypes.StringType, false)});

    /** Input columns with the types they may have; id may also be any numeric type. */
    private static final List<String> STRING_COLUMNS = List.of("text", "prompt", "response");

    /**
     * @param format null = from the input path ({@link InputFormat#detect})
     * @param runtime batching and threads; its device is replaced per task
     * @param gpuRequested tasks use the GPU Spark assigns them (CPU when none)
     * @param partitions 0 = as read, else the parsed rows are repartitioned to this many
     * @param chunkRows rows handed to the scorer at once (it batches them by length)
     */
    public record Settings(String model, String input, String output, InputFormat format, RuntimeOptions runtime,
            boolean gpuRequested, int partitions, int chunkRows, boolean overwrite) {
        public static final int DEFAULT_CHUNK_ROWS = 512;

        public Settings {
            require(model, "--model");
            require(input, "--input");
            require(output, "--output");
            if (runtime == null) {
                throw new IllegalArgumentException("runtime options must be set");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be >= 0, got " + partitions);
            }
            if (chunkRows <= 0) {
                throw new IllegalArgumentException("chunk rows must be > 0, got " + chunkRows);
            }
        }

        private static void require(String value, String flag) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(flag + " must be set");
            }
        }
    }

    private ScoreJob() {
    }

    public static ScoreSummary run(SparkSession spark, Settings s) {
        long t0 = System.nanoTime();
        checkModelDir(s.model());
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileStatus inputStatus = inputStatus(hadoop, s.input());
        InputFormat format = s.format() != null ? s.format()
                : InputFormat.detect(s.input(), inputStatus.isDirectory());
        Path out = new Path(s.output());
        Path scoresPath = new Path(out, "scores");
        Path quarantinePath = new Path(out, "quarantine");
        Path summaryPath = new Path(out, "summary.json");
        prepareOutput(hadoop, s.overwrite(), scoresPath, quarantinePath, summaryPath);

        Input input = format == InputFormat.JSONL ? readJsonl(spark, s.input(), inputStatus) : readParquet(spark,
                s.input());
        JavaRDD<ParsedLine> parsed = s.partitions() > 0 ? input.parsed().repartition(s.partitions()) : input.parsed();
        ModelSpec spec = new ModelSpec(s.model(), s.runtime());
        JavaRDD<ScoreOutcome> outcomes = parsed
                .mapPartitions(new PartitionScorer(spec, s.gpuRequested(), s.chunkRows()))
                .persist(StorageLevel.MEMORY_AND_DISK()); // written twice (scores, quarantine), scored once
        SaveMode mode = s.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        long tScore;
        try {
            spark.createDataFrame(outcomes.filter(o -> o instanceof Scored).map(o -> scoreRow((Scored) o)),
                    SCORES_SCHEMA).write().mode(mode).parquet(scoresPath.toString());
            spark.createDataFrame(outcomes.filter(o -> o instanceof Quarantined)
                    .map(o -> quarantineRow((Quarantined) o)), QUARANTINE_SCHEMA)
                    .write().mode(mode).parquet(quarantinePath.toString());
            tScore = System.nanoTime();
        } finally {
            outcomes.unpersist(false);
        }

        long rowsRead = input.rowsRead().getAsLong();
        // Explicit schemas: an empty output directory has no Parquet footer to infer one from.
        Dataset<Row> scores = spark.read().schema(SCORES_SCHEMA).parquet(scoresPath.toString());
        Row agg = scores.agg(count(lit(1)), sum(col("n_tokens"))).first();
        long rowsScored = agg.getLong(0);
        long tokens = agg.isNullAt(1) ? 0 : agg.getLong(1);
        Dataset<Row> quarantine = spark.read().schema(QUARANTINE_SCHEMA).parquet(quarantinePath.toString());
        Map<String, Long> reasons = reasonCounts(quarantine);
        long rowsQuarantined = reasons.values().stream().mapToLong(Long::longValue).sum();
        long tEnd = System.nanoTime();
        if (rowsRead != rowsScored + rowsQuarantined) {
            throw new IllegalStateException("row accounting broken: read " + rowsRead + " rows but wrote "
                    + rowsScored + " scored + " + rowsQuarantined + " quarantined = "
                    + (rowsScored + rowsQuarantined) + " (output " + out + " is incomplete; no summary.json written)");
        }
        ScoreSummary summary = new ScoreSummary(rowsRead, rowsScored, rowsQuarantined, tokens, reasons,
                spec.path(), s.input(), format.toString(), out.toString(), CodeVersion.describe(),
                spark.sparkContext().master(), s.gpuRequested() ? "gpu" : "cpu", s.runtime().intraOpThreads(),
                parsed.getNumPartitions(), s.runtime().maxBatchTokens(), (tScore - t0) / 1e9, (tEnd - tScore) / 1e9,
                (tEnd - t0) / 1e9, Instant.now().toString());
        writeJson(hadoop, summaryPath, summary.toJson());
        LOG.info("{} ({} tokens, {} tok/s over scoring and writing)", summary.countsLine(), tokens,
                String.format("%.0f", summary.tokensPerSecond()));
        return summary;
    }

    /** Parsed rows, and a count of the rows read taken from the input itself, not from the parse. */
    private record Input(JavaRDD<ParsedLine> parsed, LongSupplier rowsRead) {
    }

    private static Input readJsonl(SparkSession spark, String path, FileStatus status) {
        if (status.isDirectory()) {
            throw new IllegalArgumentException("JSONL input must be one file, but " + path + " is a directory");
        }
        JavaRDD<String> lines = JavaSparkContext.fromSparkContext(spark.sparkContext()).textFile(path);
        JavaRDD<ParsedLine> parsed = lines.zipWithIndex()
                .map(t -> ScoreInputParser.parseJsonLine(path, t._2() + 1, t._1()));
        return new Input(parsed, lines::count);
    }

    private static Input readParquet(SparkSession spark, String path) {
        Dataset<Row> df = spark.read().parquet(path);
        StructType schema = df.schema();
        validateParquetSchema(schema, path);
        Set<String> names = Set.of(schema.fieldNames());
        Column[] columns = {
            names.contains("id") ? col("id") : lit(null).as("id"),
            names.contains("text") ? col("text") : lit(null).cast("string").as("text"),
            names.contains("prompt") ? col("prompt") : lit(null).cast("string").as("prompt"),
            names.contains("response") ? col("response") : lit(null).cast("string").as("response"),
            col("_metadata.file_path").as("file_path"),
            col("_metadata.row_index").as("row_index")};
        JavaRDD<ParsedLine> parsed = df.select(columns).javaRDD().map(r -> ScoreInputParser.fromColumns(
                r.getString(4), r.getLong(5) + 1, r.get(0), r.get(1), r.get(2), r.get(3)));
        return new Input(parsed, df::count);
    }

    /** Fails before any work when the Parquet columns cannot make score rows; names file and column. */
    static void validateParquetSchema(StructType schema, String path) {
        Set<String> names = Set.of(schema.fieldNames());
        for (String c : STRING_COLUMNS) {
            if (names.contains(c) && !schema.apply(c).dataType().equals(DataTypes.StringType)) {
                throw new IllegalArgumentException("input " + path + ": column '" + c + "' must be a string, got "
                        + schema.apply(c).dataType().simpleString());
            }
        }
        if (names.contains("id")) {
            DataType t = schema.apply("id").dataType();
            boolean ok = t.equals(DataTypes.StringType) || t.equals(DataTypes.LongType)
                    || t.equals(DataTypes.IntegerType) || t.equals(DataTypes.ShortType)
                    || t.equals(DataTypes.ByteType) || t.equals(DataTypes.DoubleType)
                    || t.equals(DataTypes.FloatType) || t instanceof DecimalType;
            if (!ok) {
                throw new IllegalArgumentException("input " + path + ": column 'id' must be a string or number, got "
                        + t.simpleString());
            }
        }
        boolean hasText = names.contains("text");
        boolean hasPrompt = names.contains("prompt");
        boolean hasResponse = names.contains("response");
        if (!hasText && !hasPrompt && !hasResponse) {
            throw new IllegalArgumentException("input " + path + " has no column 'text' (nor 'prompt' and"
                    + " 'response'); its columns are " + Arrays.toString(schema.fieldNames()));
        }
        if (!hasText && hasPrompt != hasResponse) {
            String missing = hasPrompt ? "response" : "prompt";
            String present = hasPrompt ? "prompt" : "response";
            throw new IllegalArgumentException("input " + path + " has no column '" + missing + "' (needed with '"
                    + present + "'); its columns are " + Arrays.toString(schema.fieldNames()));
        }
    }

    static Row scoreRow(Scored s) {
        return RowFactory.create(s.id(), s.nTokens(), s.nllSum(), s.nllMean(), s.perplexity());
    }

    static Row quarantineRow(Quarantined q) {
        return RowFactory.create(q.source(), q.line(), q.raw(), q.reason());
    }

    /** Fails naming the path unless {@code model} is a checkpoint directory (checked again by {@link #run}). */
    public static void checkModelDir(String model) {
        java.nio.file.Path dir = java.nio.file.Path.of(model);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory not found: " + model);
        }
        for (String file : List.of("config.json", "tokenizer.json")) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IllegalArgumentException("model directory " + model + " has no " + file);
            }
        }
    }

    private static FileStatus inputStatus(Configuration hadoop, String input) {
        try {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(hadoop);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("input file not found: " + input);
            }
            return fs.getFileStatus(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read input " + input, e);
        }
    }

    private static void prepareOutput(Configuration hadoop, boolean overwrite, Path... paths) {
        try {
            for (Path p : paths) {
                FileSystem fs = p.getFileSystem(hadoop);
                if (fs.exists(p)) {
                    if (!overwrite) {
                        throw new IllegalArgumentException("output " + p + " already exists; pass --overwrite to"
                                + " replace it");
                    }
                    fs.delete(p, true); // never leave a previous run's summary beside this run's data
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + paths[0].getParent(), e);
        }
    }

    /** Quarantine counts by reason category (the reason up to its first ':', ';' or " ("). */
    private static Map<String, Long> reasonCounts(Dataset<Row> quarantine) {
        return quarantine.javaRDD().map(r -> reasonCategory(r.getString(3))).countByValue();
    }

    static String reasonCategory(String reason) {
        int cut = reason.length();
        for (String stop : List.of(":", ";", " (")) {
            int at = reason.indexOf(stop);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return reason.substring(0, cut);
    }

    private static void writeJson(Configuration hadoop, Path path, Map<String, Object> json) {
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            try (OutputStream os = fs.create(path, true)) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(os, json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
