package org.immunobench.jobs.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.lm.config.ConfigBinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a world to a directory: {@code tokenizer.json}, {@code corpus/} (Parquet in
 * {@link CorpusSchema#CORPUS}, partitioned by {@code split}) and {@code world.json} (generator version, config,
 * counts per split/kind/domain, lexicons). All of it is written to a hidden sibling directory and renamed into
 * place, so the output directory is never half-written.
 *
 * <p>Paths are local (java.nio): on a cluster the directory must be on a mount every executor shares.
 */
public final class WorldWriter {
    public static final String TOKENIZER = "tokenizer.json";
    public static final String CORPUS = "corpus";
    public static final String SUMMARY = "world.json";
    public static final String FORMAT = "immunobench-toyworld";

    private WorldWriter() {
    }

    /** Writes {@code world} to {@code out}, which must not exist yet (or be an empty directory). */
    public static WorldSummary write(SparkSession spark, World world, Path out) {
        return write(spark, world, out, false);
    }

    /**
     * Writes {@code world} to {@code out}; an existing non-empty {@code out} is an error unless {@code overwrite},
     * in which case it is replaced only once the new world is complete.
     */
    public static WorldSummary write(SparkSession spark, World world, Path out, boolean overwrite) {
        checkOutput(out, overwrite);
        Path target = out.toAbsolutePath().normalize();
        WorldSummary summary = world.summary();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            world.writeTokenizer(tmp.resolve(TOKENIZER));
            writeCorpus(spark, world, tmp.resolve(CORPUS));
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.writeString(tmp.resolve(SUMMARY), json.writeValueAsString(summaryJson(world, summary)));
            replace(tmp, target);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write world to " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        return summary;
    }

    /** Fails unless {@code out} is absent, an empty directory, or may be replaced ({@code overwrite}). */
    public static void checkOutput(Path out, boolean overwrite) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.exists(target) && !overwrite && !isEmptyDir(target)) {
            throw new IllegalArgumentException("output " + out + " already exists; pass overwrite to replace it");
        }
        if (target.getParent() == null) {
            throw new IllegalArgumentException("output " + out + " cannot be the file system root");
        }
    }

    /** The corpus of a world directory, columns in {@link CorpusSchema#CORPUS} order. */
    public static Dataset<Row> readCorpus(SparkSession spark, Path worldDir) {
        Path corpus = worldDir.resolve(CORPUS);
        if (!Files.isDirectory(corpus)) {
            throw new IllegalArgumentException("no corpus in world directory " + worldDir + " (expected " + corpus
                    + ")");
        }
        Column[] columns = Arrays.stream(CorpusSchema.CORPUS.fields()).map(StructField::name).map(functions::col)
                .toArray(Column[]::new);
        return spark.read().schema(CorpusSchema.CORPUS).parquet(corpus.toAbsolutePath().toUri().toString())
                .select(columns);
    }

    private static void writeCorpus(SparkSession spark, World world, Path dir) {
        List<Row> rows = new ArrayList<>();
        for (CorpusRow r : world.allRows()) {
            rows.add(CorpusSchema.toRow(r));
        }
        // One file per split, rows in source_row order: readers that take a split's head get a fixed sample.
        spark.createDataFrame(rows, CorpusSchema.CORPUS)
                .repartition(Splits.ALL.size(), functions.col("split"))
                .sortWithinPartitions("split", "source_row")
                .write().partitionBy("split").parquet(dir.toUri().toString());
    }

    static Map<String, Object> summaryJson(World world, WorldSummary summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("generator_version", ToyWorld.VERSION);
        m.put("source", World.SOURCE);
        m.put("config", ConfigBinder.toMap(world.config()));
        m.put("vocab_size", summary.vocabSize());
        m.put("max_tokens_per_row", summary.maxTokensPerRow());
        m.put("rows", summary.rows());
        m.put("rows_per_split", summary.rowsPerSplit());
        m.put("counts", summary.counts());
        m.put("prompt_format", ToyText.prompt("<request>"));
        m.put("min_harmful_steps", world.oracle().minHarmfulSteps());
        List<Map<String, Object>> domains = new ArrayList<>();
        for (HarmDomain d : world.domains()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("name", d.name());
            dm.put("held_out", d.heldOut());
            dm.put("verbs", d.verbs());
            dm.put("targets", d.targets());
            dm.put("actions_in_order", d.actions());
            dm.put("materials", d.materials());
            dm.put("tools", d.tools());
            domains.add(dm);
        }
        m.put("harm_domains", domains);
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (String t : world.tasks().names()) {
            tasks.add(Map.of("name", t, "held_back", t.equals(world.tasks().heldBack())));
        }
        m.put("benign_tasks", tasks);
        m.put("knowledge_base", world.knowledge().facts());
        return m;
    }

    /** Moves {@code from} to {@code to}; a previous {@code to} is set aside first and deleted after the swap. */
    private static void replace(Path from, Path to) throws IOException {
        Path old = null;
        if (Files.exists(to)) {
            old = to.resolveSibling("." + to.getFileName() + ".old-" + UUID.randomUUID());
            move(to, old);
        }
        try {
            move(from, to);
        } catch (IOException e) {
            if (old != null) {
                move(old, to);
            }
            throw e;
        }
        if (old != null) {
            deleteQuietly(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static boolean isEmptyDir(Path p) {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the name is unique and hidden, a leftover never shadows a world
        }
    }
}
