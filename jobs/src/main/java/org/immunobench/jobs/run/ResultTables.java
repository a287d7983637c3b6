package org.immunobench.jobs.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.results.RecordSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Rebuilds a run's Parquet tables from its committed task files: every table is rewritten whole from the tasks of
 * this run's plan that are in the ledger, sorted, so it holds one copy of each task's rows however many times the run
 * was interrupted and resumed, and rows of tasks outside the plan never leak in.
 */
final class ResultTables {
    private ResultTables() {
    }

    /**
     * @param files JSON-lines files of the tasks to include (missing files are skipped: a task may have no rows of
     *     this kind)
     * @param sortBy columns that order the rows deterministically
     */
    static <R extends Record> void rebuild(SparkSession spark, RecordSchema<R> schema, Collection<Path> files,
            Path table, String... sortBy) {
        List<String> present = files.stream().filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        Dataset<Row> rows = present.isEmpty() ? spark.createDataFrame(List.of(), schema.schema())
                : spark.read().schema(schema.schema()).option("mode", "FAILFAST").json(present.toArray(String[]::new));
        if (sortBy.length > 0) {
            rows = rows.sort(sortBy[0], java.util.Arrays.copyOfRange(sortBy, 1, sortBy.length));
        }
        rows.coalesce(1).write().mode(SaveMode.Overwrite).parquet(table.toString());
    }

    /** The per-task files named {@code file} of the given committed tasks. */
    static List<Path> taskFiles(Path stageDir, Collection<String> taskIds, String file) {
        List<Path> out = new ArrayList<>();
        for (String id : taskIds) {
            out.add(stageDir.resolve(id).resolve(file));
        }
        return out;
    }

    /** Every {@code *.json} file of a directory (failure rows). */
    static List<Path> jsonFiles(Path dir, Collection<String> taskIds) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && taskIds.contains(n.substring(0, n.length() - 5));
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
