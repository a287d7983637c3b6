package org.immunobench.jobs.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.readers.JsonLinesParser;
import org.immunobench.curation.readers.SparkSources;
import org.immunobench.curation.report.CurateReport;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.DeviceChoice;
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
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * The {@code score} job: perplexity of every row of a JSONL or Parquet file under one model. Wiring only: rows are
 * read by curate's read path ({@link SparkSources}: strict UTF-8, validation, normalisation, corpus ids) with the
 * row shape of {@link ScoreRows}; scoring is {@link PartitionScorer} over the {@code lm} runtime.
 *
 * <p>Writes {@code OUT/scores} (id, n_tokens, nll_sum, nll_mean, ppl), {@code OUT/quarantine} (the curate
 * quarantine contract, {@link CorpusSchema#QUARANTINE}: source, source_row, raw, reason) and
 * {@code OUT/summary.json}. Rows read are counted from the input itself and rows written from the
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

    /** Input columns with the types they may have; id may also be any numeric type. */
    private static final List<String> STRING_COLUMNS = List.of("text", "prompt", "response");
    /** {@code part-00001-….parquet: } before a reason from a multi-file Parquet input. */
    private static final Pattern FILE_PREFIX = Pattern.compile("^[^\\s:]+\\.parquet: ");

    /**
     * @param format null = from the input path ({@link InputFormat#detect})
     * @param runtime batching and threads; its device is replaced per task
     * @param device where tasks run ({@link DeviceChoice})
     * @param partitions 0 = as read, else the parsed rows are repartitioned to this many
     * @param chunkRows rows handed to the scorer at once (it batches them by length)
     */
    public record Settings(String model, String input, String output, InputFormat format, RuntimeOptions runtime,
            DeviceChoice device, int partitions, int chunkRows, boolean overwrite) {
        public static final int DEFAULT_CHUNK_ROWS = 512;

        /** {@code gpuRequested}: {@code --device gpu}, else {@code cpu}. */
        public Settings(String model, String input, String output, InputFormat format, RuntimeOptions runtime,
                boolean gpuRequested, int partitions, int chunkRows, boolean overwrite) {
            this(model, input, output, format, runtime, gpuRequested ? DeviceChoice.gpu : DeviceChoice.cpu,
                    partitions, chunkRows, overwrite);
        }

        public Settings {
            device = device == null ? DeviceChoice.cpu : device;
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
        JavaRDD<Parsed> parsed = s.partitions() > 0 ? input.parsed().repartition(s.partitions()) : input.parsed();
        ModelSpec spec = new ModelSpec(s.model(), s.runtime());
        JavaRDD<ScoreOutcome> outcomes = parsed
                .mapPartitions(new PartitionScorer(spec, s.device(), s.chunkRows()))
                .persist(StorageLevel.MEMORY_AND_DISK()); // written twice (scores, quarantine), scored once
        SaveMode mode = s.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        long tScore;
        try {
            spark.createDataFrame(outcomes.filter(ScoreOutcome::isScored).map(ScoreOutcome::scoresRow),
                    SCORES_SCHEMA).write().mode(mode).parquet(scoresPath.toString());
            spark.createDataFrame(outcomes.filter(o -> !o.isScored()).map(o -> CorpusSchema.toRow(o.quarantined())),
                    CorpusSchema.QUARANTINE).write().mode(mode).parquet(quarantinePath.toString());
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
        Dataset<Row> quarantine = spark.read().schema(CorpusSchema.QUARANTINE).parquet(quarantinePath.toString());
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
                spark.sparkContext().master(), s.device().name(), s.runtime().intraOpThreads(),
                parsed.getNumPartitions(), s.runtime().maxBatchTokens(), (tScore - t0) / 1e9, (tEnd - tScore) / 1e9,
                (tEnd - t0) / 1e9, Instant.now().toString());
        writeJson(hadoop, summaryPath, summary.toJson());
        LOG.info("{} ({} tokens, {} tok/s over scoring and writing)", summary.countsLine(), tokens,
                String.format("%.0f", summary.tokensPerSecond()));
        return summary;
    }

    /** Rows read (one outcome each), and a count of the rows read taken from the input itself, not from the parse. */
    private record Input(JavaRDD<Parsed> parsed, LongSupplier rowsRead) {
    }

    /** Lines as raw bytes, decoded strictly one by one: invalid UTF-8 quarantines its line and nothing else. */
    private static Input readJsonl(SparkSession spark, String path, FileStatus status) {
        if (status.isDirectory()) {
            throw new IllegalArgumentException("JSONL input must be one file, but " + path + " is a directory");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Parsed> parsed = SparkSources.lines(sc, path, new JsonLinesParser(ScoreRows.context(path),
                new ScoreRows()));
        return new Input(parsed, () -> sc.hadoopFile(path, TextInputFormat.class, LongWritable.class, Text.class)
                .count());
    }

    private static Input readParquet(SparkSession spark, String path) {
        Dataset<Row> df = spark.read().parquet(path);
        validateParquetSchema(df.schema(), path);
        return new Input(SparkSources.parquet(spark, path, ScoreRows.context(path), new ScoreRows()), df::count);
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

    /** Quarantine counts by reason category ({@link #reasonCategory}). */
    private static Map<String, Long> reasonCounts(Dataset<Row> quarantine) {
        return quarantine.javaRDD().map(r -> reasonCategory(r.getString(3))).countByValue();
    }

    /**
     * A reason's category: reasons are {@code field: problem} as in curate (a few, like {@code blank line}, have no
     * field); the category is the field and the problem up to its first {@code :}, {@code ;} or {@code " ("}, with
     * numbers as {@code #} ({@link CurateReport#reasonPattern}). A leading file name, which a multi-file Parquet
     * input puts on its reasons, is left out.
     */
    static String reasonCategory(String reason) {
        String r = FILE_PREFIX.matcher(reason).replaceFirst("");
        int field = r.indexOf(": ");
        int from = field < 0 ? 0 : field + 2;
        int cut = r.length();
        for (String stop : List.of(":", ";", " (")) {
            int at = r.indexOf(stop, from);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return CurateReport.reasonPattern(r.substring(0, cut));
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
