package org.immunobench.curation.readers;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.TaskCompletionListener;
import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Reads sources into an RDD of outcomes (one per source row) with as much parallelism as each layout allows.
 *
 * <ul>
 *   <li>A line-oriented single file (JSONL, TSV, HEx-PHI): Hadoop's {@code TextInputFormat} lines kept as raw
 *       bytes ({@code Text}, not Spark's {@code textFile}, which decodes and silently replaces invalid UTF-8),
 *       {@code zipWithIndex} for line numbers, then {@link LineParser#parse(byte[], int, long)}: splits one big file
 *       over many tasks. Costs one extra pass to count lines per partition (that is what {@code zipWithIndex}
 *       does).</li>
 *   <li>Record-oriented files (quoted CSV, JSON arrays) and directories: {@code binaryFiles}, one task per file
 *       running the streaming {@link SourceReader}. A single huge CSV is then one task: the trade-off for exact
 *       record boundaries and per-record UTF-8 checks, since a split point cannot tell whether it is inside a
 *       quoted field. The real datasets in these layouts are small (HarmBench 400 rows, Alpaca 52k).</li>
 *   <li>Parquet (generic, SST-2 from Hugging Face): Spark's reader; row number = {@code _metadata.row_index + 1}
 *       within its file. Strings are already decoded there, so no UTF-8 check applies.</li>
 * </ul>
 * Row numbers restart per file; in a multi-file source quarantine reasons start with the file name.
 */
public final class SparkSources {
    private static final String ROW_INDEX = "__immunobench_row_index";
    private static final String FILE_NAME = "__immunobench_file_name";

    private SparkSources() {
    }

    /**
     * Reads one source: a file, a directory or a glob, on any Hadoop file system; chooses the path by its layout.
     */
    public static JavaRDD<Parsed> read(SparkSession spark, SourceSpec spec, SourceContext ctx,
            ColumnMapping mapping) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Matches matches = match(sc, spec.name(), spec.path());
        String name = matches.firstFile().replaceFirst("(?i)\\.gz$", "");
        SourceFormat.Layout layout = spec.format().layout(name);
        if (layout == SourceFormat.Layout.PARQUET) {
            return parquet(spark, spec.path(), ctx, spec.format().mapper(name, mapping));
        }
        if (layout.lineOriented() && matches.singleFile()) {
            return lines(sc, spec.path(), SourceReaders.lineParser(spec.format(), name, ctx, mapping));
        }
        return perFile(sc, spec.path(), spec.format(), ctx, mapping);
    }

    /**
     * One line-oriented file, split across tasks; bytes decoded strictly per line. {@code file} must be one file:
     * line numbers run across everything Hadoop reads under the path.
     */
    public static JavaRDD<Parsed> lines(JavaSparkContext sc, String file, LineParser parser) {
        // Hadoop reuses the Text object between records, so copy its bytes before anything else holds them.
        JavaRDD<byte[]> raw = sc.hadoopFile(file, TextInputFormat.class, LongWritable.class, Text.class)
                .map(kv -> Arrays.copyOf(kv._2().getBytes(), kv._2().getLength()));
        int header = parser.headerLines();
        LineParser p = parser;
        if (header > 0) {
            List<byte[]> head = raw.take(header);
            if (head.size() < header) {
                throw new IllegalArgumentException(file + ": empty, expected a header line");
            }
            for (byte[] h : head) {
                int off = StrictUtf8.startsWithBom(h, h.length) ? 3 : 0;
                p = p.withHeader(StrictUtf8.decodeOrThrow(Arrays.copyOfRange(h, off, h.length), file + ": header"),
                        file);
            }
        }
        LineParser body = p;
        return raw.zipWithIndex()
                .filter(t -> t._2() >= header)
                .map(t -> body.parse(t._1(), t._1().length, t._2() + 1 - header));
    }

    /**
     * Each file under {@code path} streamed by one task through {@link SourceReaders#open}; when the path holds
     * several files, quarantine reasons start with the file name. Every file's header (or opening bracket) is
     * checked here on the driver first, so a wrong file fails with its own message rather than as a failed task.
     */
    public static JavaRDD<Parsed> perFile(JavaSparkContext sc, String path, SourceFormat format, SourceContext ctx,
            ColumnMapping mapping) {
        Matches matches = match(sc, ctx.source(), path);
        try {
            for (Path f : matches.files()) {
                SourceReaders.open(format, f.toString(), f.getFileSystem(sc.hadoopConfiguration()).open(f), ctx,
                        mapping).close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean manyFiles = !matches.singleFile();
        return sc.binaryFiles(path).flatMap(t -> {
            String file = t._1();
            SourceReader reader = SourceReaders.open(format, file, t._2().open(), ctx, mapping);
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((TaskCompletionListener) c -> reader.close());
            }
            return new Iterator<Parsed>() {
                @Override
                public boolean hasNext() {
                    boolean more = reader.hasNext();
                    if (!more) {
                        reader.close();
                    }
                    return more;
                }

                @Override
                public Parsed next() {
                    Parsed p = reader.next();
                    return manyFiles ? SourceReaders.inFile(p, file) : p;
                }
            };
        });
    }

    /** Parquet file(s) through Spark; columns the mapper needs are checked first, naming the path. */
    public static JavaRDD<Parsed> parquet(SparkSession spark, String path, SourceContext ctx, RecordMapper mapper) {
        Dataset<Row> df = spark.read().parquet(path);
        List<String> columns = Arrays.asList(df.columns());
        for (String c : mapper.requiredColumns()) {
            if (!columns.contains(c)) {
                throw new IllegalArgumentException(path + ": missing column '" + c + "' (columns: " + columns + ")");
            }
        }
        int width = columns.size();
        boolean manyFiles = df.inputFiles().length > 1;
        Dataset<Row> indexed = df.select(functions.col("*"),
                functions.col("_metadata.row_index").as(ROW_INDEX),
                functions.col("_metadata.file_name").as(FILE_NAME));
        return indexed.javaRDD().map(row -> {
            long rowNo = row.getLong(width) + 1;
            SparkRowFields fields = new SparkRowFields(row, width);
            Parsed p = RowValidator.check(ctx, rowNo, fields.toJson(), () -> mapper.map(fields));
            return manyFiles ? SourceReaders.inFile(p, row.getString(width + 1)) : p;
        });
    }

    /** What a source path matches: its data files (hidden ones skipped) in name order, and whether it is one file. */
    private record Matches(List<Path> files, boolean singleFile) {
        String firstFile() {
            return files.get(0).getName();
        }
    }

    private static Matches match(JavaSparkContext sc, String source, String pathText) {
        Path path = new Path(pathText);
        try {
            FileSystem fs = path.getFileSystem(sc.hadoopConfiguration());
            FileStatus[] matched = fs.globStatus(path);
            if (matched == null || matched.length == 0) {
                throw new IllegalArgumentException("source '" + source + "': " + pathText + " does not exist");
            }
            if (matched.length == 1 && matched[0].isFile()) {
                return new Matches(List.of(matched[0].getPath()), true);
            }
            List<Path> files = new ArrayList<>();
            for (FileStatus m : matched) {
                for (FileStatus s : m.isDirectory() ? fs.listStatus(m.getPath()) : new FileStatus[] {m}) {
                    if (s.isFile() && !SourceReaders.isHidden(s.getPath().getName())) {
                        files.add(s.getPath());
                    }
                }
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("source '" + source + "': " + pathText + " has no files");
            }
            files.sort((a, b) -> SourceReaders.compareNatural(a.getName(), b.getName()));
            return new Matches(files, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
