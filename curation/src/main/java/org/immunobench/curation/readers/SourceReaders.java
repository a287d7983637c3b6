package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.HexPhiAdapter;
import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Opens sources as streaming {@link SourceReader}s: the single-JVM path (tests, small sources) and what a Spark
 * task runs on each file of a record-oriented source. {@code .gz} files are decompressed.
 *
 * <p>A directory is read file by file (hidden {@code .x} and {@code _x} files skipped) in name order, numbers
 * compared as numbers ({@code category_2} before {@code category_11}); row numbers restart in each file. That suits
 * HEx-PHI, whose domain names the file; for other formats give one source per file when {@code source_row} must
 * locate a row unambiguously. Quarantine reasons of a directory source start with the file name.
 */
public final class SourceReaders {
    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

    private SourceReaders() {
    }

    /** A local file or directory. */
    public static SourceReader open(SourceSpec spec, SourceContext ctx, ColumnMapping mapping) {
        Path path = Path.of(spec.path());
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("source '" + spec.name() + "': " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            return open(spec.format(), path, ctx, mapping);
        }
        List<Path> files = listFiles(path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("source '" + spec.name() + "': directory " + path + " has no files");
        }
        return new Concatenated(spec.format(), files, ctx, mapping);
    }

    /** One local file. */
    public static SourceReader open(SourceFormat format, Path file, SourceContext ctx, ColumnMapping mapping) {
        try {
            return open(format, file.toString(), Files.newInputStream(file), ctx, mapping);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One file's bytes from anywhere (a Spark {@code PortableDataStream}, a test). Takes ownership of {@code in}.
     * Throws {@link IllegalArgumentException} naming the file when its header or top-level shape is wrong.
     */
    public static SourceReader open(SourceFormat format, String fileName, InputStream in, SourceContext ctx,
            ColumnMapping mapping) {
        try {
            InputStream body = fileName.toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(in, 1 << 16)
                    : in;
            String name = fileName.replaceFirst("(?i)\\.gz$", "");
            SourceFormat.Layout layout = format.layout(name);
            if (layout.lineOriented()) {
                return new LineSourceReader(body, fileName, lineParser(format, name, ctx, mapping));
            }
            RecordMapper mapper = format.mapper(name, mapping);
            switch (layout) {
                case CSV:
                    return new CsvSourceReader(body, fileName, ctx, mapper, ',');
                case JSON_ARRAY:
                    return new JsonArraySourceReader(body, fileName, ctx, mapper);
                default:
                    throw new IllegalArgumentException(fileName + ": " + format.id()
                            + " Parquet is read through Spark (SparkSources.read), not streamed");
            }
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The per-line parser of a line-oriented format, for Spark's {@code textFile}-style reading. */
    public static LineParser lineParser(SourceFormat format, String fileName, SourceContext ctx,
            ColumnMapping mapping) {
        RecordMapper mapper = format.mapper(fileName, mapping);
        switch (format.layout(fileName)) {
            case JSON_LINES:
                return new JsonLinesParser(ctx, mapper);
            case SINGLE_COLUMN_LINES:
                return new SingleColumnCsvParser(ctx, mapper, HexPhiAdapter.COLUMN);
            case TSV:
                return new TsvParser(ctx, mapper);
            default:
                throw new IllegalArgumentException(fileName + ": format " + format.id() + " is not line-oriented");
        }
    }

    static List<Path> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>();
            s.filter(Files::isRegularFile).filter(p -> !isHidden(p.getFileName().toString())).forEach(files::add);
            files.sort(Comparator.comparing(p -> p.getFileName().toString(), SourceReaders::compareNatural));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isHidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    /** Name order with digit runs compared as numbers. */
    static int compareNatural(String a, String b) {
        Matcher ma = CHUNK.matcher(a);
        Matcher mb = CHUNK.matcher(b);
        while (ma.find() && mb.find()) {
            String x = ma.group();
            String y = mb.group();
            int c = Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))
                    ? new BigInteger(x).compareTo(new BigInteger(y)) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    /**
     * Prefixes a quarantine reason with the file it came from: row numbers restart per file, so within a
     * directory source the number alone does not find the row.
     */
    static Parsed inFile(Parsed p, String fileName) {
        if (p instanceof Parsed.Quarantined q) {
            QuarantineRow r = q.row();
            return new Parsed.Quarantined(new QuarantineRow(r.source(), r.sourceRow(), r.raw(),
                    baseName(fileName) + ": " + r.reason()));
        }
        return p;
    }

    static String baseName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** The files of a directory read one after another, as one source. */
    private static final class Concatenated implements SourceReader {
        private final SourceFormat format;
        private final List<Path> files;
        private final SourceContext ctx;
        private final ColumnMapping mapping;
        private int nextFile;
        private String currentName;
        private SourceReader current;
        private long finishedRecords;

        Concatenated(SourceFormat format, List<Path> files, SourceContext ctx, ColumnMapping mapping) {
            this.format = format;
            this.files = files;
            this.ctx = ctx;
            this.mapping = mapping;
        }

        @Override
        public boolean hasNext() {
            while (current == null || !current.hasNext()) {
                if (current != null) {
                    finishedRecords += current.recordsRead();
                    current.close();
                    current = null;
                }
                if (nextFile == files.size()) {
                    return false;
                }
                Path file = files.get(nextFile++);
                currentName = file.getFileName().toString();
                current = open(format, file, ctx, mapping);
            }
            return true;
        }

        @Override
        public Parsed next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return inFile(current.next(), currentName);
        }

        @Override
        public long recordsRead() {
            return finishedRecords + (current == null ? 0 : current.recordsRead());
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
