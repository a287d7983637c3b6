package org.immunobench.jobs.run;

import java.nio.file.Path;

/**
 * The files of a run directory (docs/data-contracts.md). Tasks commit into {@code tasks/<stage>/<task id>/} by an
 * atomic rename; the Parquet tables are rebuilt from the committed task directories after every stage, so they hold
 * exactly one copy of every completed task's rows however often the run was interrupted.
 */
public record RunLayout(Path root) {
    public static final String RUN_YAML = "run.yaml";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String TASKS = "tasks";
    public static final String MANIFEST = "manifest";
    public static final String METRICS = "metrics";
    public static final String GENERATIONS = "generations";
    public static final String FAILURES = "failures";
    public static final String PILLARS = "pillars";
    public static final String RATE_INTERVALS = "rate_intervals";
    public static final String SUMMARY = "summary.json";
    /** The search stage's tables: {@code search/metrics}, {@code search/generations}, {@code search/trials} … */
    public static final String SEARCH = "search";
    /** Per-item results of search trials in TamperBench's file layout. */
    public static final String TAMPERBENCH = "tamperbench";

    public Path runYaml() {
        return root.resolve(RUN_YAML);
    }

    public Path checkpoints() {
        return root.resolve(CHECKPOINTS);
    }

    /** Committed task directories of one stage: the ledger. */
    public Path tasks(String stage) {
        return root.resolve(TASKS).resolve(stage);
    }

    public Path table(String name) {
        return root.resolve(name);
    }

    /** A table of the search stage ({@code metrics}, {@code generations}, {@code trials}, {@code failures} …). */
    public Path search(String name) {
        return root.resolve(SEARCH).resolve(name);
    }

    /** Failure rows of a stage's latest attempts, one file per failed task (not part of the ledger). */
    public Path failures(String stage) {
        return root.resolve(TASKS).resolve(stage + "-failures");
    }
}
