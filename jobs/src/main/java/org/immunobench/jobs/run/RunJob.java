package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.jobs.DeviceChoice;
import org.immunobench.jobs.SparkSessions;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark loop over an {@link ExperimentPlan}: immunise (a checkpoint per parent × defence point), attack (every
 * attack and trainability task on every checkpoint that was made), search (the hyper-parameter searches of attack
 * entries that declare one, {@link SearchStage}; skipped when there are none), then pillars and the leaderboard. Each stage runs
 * only the tasks missing from its ledger (all of them with {@code force}), rebuilds its tables, and reports done /
 * skipped / failed. Failed tasks never fail the run; the caller decides what the exit code says.
 */
public final class RunJob {
    public static final List<String> STAGES = List.of("immunise", "attack", SearchStage.STAGE, "leaderboard");
    static final RecordSchema<ManifestRow> MANIFEST = RecordSchema.of(ManifestRow.class);
    static final RecordSchema<MetricRow> METRICS = RecordSchema.of(MetricRow.class);
    static final RecordSchema<GenerationRow> GENERATIONS = RecordSchema.of(GenerationRow.class);
    static final RecordSchema<FailureRow> FAILURES = RecordSchema.of(FailureRow.class);

    /** Counts of one stage. */
    public record StageSummary(String stage, int tasks, int ran, int skipped, int failed, double seconds,
            double taskSeconds, double modelSeconds) {
    }

    /**
     * @param tasks every task this invocation ran, with where it ran ({@link TaskOutcome#placement()})
     */
    public record Summary(String runId, List<StageSummary> stages, List<TaskOutcome> failures,
            List<TaskOutcome> tasks) {
        public int failed() {
            return stages.stream().mapToInt(StageSummary::failed).sum();
        }
    }

    private RunJob() {
    }

    /** {@link #run(SparkSession, ExperimentConfig, ExperimentPlan, RunLayout, List, boolean, SparkSessions.Placement,
     * PrintStream)} with CPU tasks and no resource requests (what local mode does). */
    public static Summary run(SparkSession spark, ExperimentConfig config, ExperimentPlan plan, RunLayout layout,
            List<String> stages, boolean force, boolean gpu, PrintStream out) {
        SparkSessions.Placement placement = gpu ? new SparkSessions.Placement(DeviceChoice.gpu, false, 1)
                : SparkSessions.Placement.cpu();
        return run(spark, config, plan, layout, stages, force, placement, out);
    }

    public static Summary run(SparkSession spark, ExperimentConfig config, ExperimentPlan plan, RunLayout layout,
            List<String> stages, boolean force, SparkSessions.Placement placement, PrintStream out) {
        writeRunYaml(layout, plan);
        List<StageSummary> summaries = new ArrayList<>();
        List<TaskOutcome> failures = new ArrayList<>();
        List<TaskOutcome> tasks = new ArrayList<>();
        if (stages.contains("immunise")) {
            summaries.add(immunise(spark, plan, layout, force, placement, out, failures, tasks));
        }
        if (stages.contains("attack")) {
            summaries.add(attack(spark, plan, layout, force, placement, out, failures, tasks));
        }
        if (stages.contains(SearchStage.STAGE) && !plan.searches().isEmpty()) {
            summaries.add(SearchStage.run(spark, plan, layout, force, placement, out, failures));
        }
        if (stages.contains("leaderboard")) {
            long t0 = System.nanoTime();
            Map<String, Double> timings = new LinkedHashMap<>();
            for (StageSummary s : summaries) {
                timings.put(s.stage(), s.seconds());
            }
            Leaderboards.write(spark, config, plan, layout, timings, out);
            summaries.add(new StageSummary("leaderboard", 1, 1, 0, 0, (System.nanoTime() - t0) / 1e9, 0, 0));
        }
        Summary summary = new Summary(plan.runId(), summaries, failures, tasks);
        writeSummary(layout, summary);
        return summary;
    }

    static StageSummary immunise(SparkSession spark, ExperimentPlan plan, RunLayout layout, boolean force,
            SparkSessions.Placement placement, PrintStream out, List<TaskOutcome> failures, List<TaskOutcome> tasks) {
        long t0 = System.nanoTime();
        TaskStore store = new TaskStore(layout.tasks("immunise"));
        store.removeLeftovers();
        List<ImmuniseTask> pending = new ArrayList<>();
        Set<String> done = store.done();
        for (ImmuniseTask t : plan.immunise()) {
            if (force) {
                store.forget(t.taskId());
            }
            if (force || !done.contains(t.taskId())) {
                pending.add(t);
            }
        }
        out.printf("immunise: %d checkpoints, %d to make, %d done before%n", plan.immunise().size(), pending.size(),
                plan.immunise().size() - pending.size());
        List<TaskOutcome> outcomes = StageRunner.run(spark, "immunise", pending,
                pending.stream().map(ImmuniseTask::taskId).toList(), plan.runId(), layout, placement,
                ImmuniseRunner::run, ImmuniseTask::parentPath, out);
        tasks.addAll(outcomes);
        List<String> ids = plan.immunise().stream().map(ImmuniseTask::taskId).toList();
        ResultTables.rebuild(spark, MANIFEST, ResultTables.taskFiles(store.dir(), committed(store, ids),
                "manifest.jsonl"), layout.table(RunLayout.MANIFEST), "checkpoint_id");
        return finish("immunise", plan.immunise().size(), pending.size(), outcomes, t0, out, failures);
    }

    static StageSummary attack(SparkSession spark, ExperimentPlan plan, RunLayout layout, boolean force,
            SparkSessions.Placement placement, PrintStream out, List<TaskOutcome> failures, List<TaskOutcome> tasks) {
        long t0 = System.nanoTime();
        Set<String> checkpoints = new TaskStore(layout.tasks("immunise")).done();
        TaskStore store = new TaskStore(layout.tasks("attack"));
        store.removeLeftovers();
        Set<String> done = store.done();
        List<AttackTask> pending = new ArrayList<>();
        int blocked = 0;
        for (AttackTask t : plan.attacks()) {
            if (!checkpoints.contains(t.checkpointId())) {
                blocked++;
                continue;
            }
            if (force) {
                store.forget(t.taskId());
            }
            if (force || !done.contains(t.taskId())) {
                pending.add(t);
            }
        }
        out.printf("attack: %d tasks, %d to run, %d done before%s%n", plan.attacks().size(), pending.size(),
                plan.attacks().size() - pending.size() - blocked,
                blocked > 0 ? ", " + blocked + " waiting for checkpoints that were not made" : "");
        List<TaskOutcome> outcomes = StageRunner.run(spark, "attack", pending,
                pending.stream().map(AttackTask::taskId).toList(), plan.runId(), layout, placement,
                AttackRunner::run, AttackTask::checkpointDir, out);
        tasks.addAll(outcomes);
        List<String> ids = plan.attacks().stream().map(AttackTask::taskId).toList();
        List<String> committed = committed(store, ids);
        ResultTables.rebuild(spark, METRICS, ResultTables.taskFiles(store.dir(), committed, "metrics.jsonl"),
                layout.table(RunLayout.METRICS), "checkpoint_id", "task_id", "step", "metric");
        ResultTables.rebuild(spark, GENERATIONS, ResultTables.taskFiles(store.dir(), committed,
                "generations.jsonl"), layout.table(RunLayout.GENERATIONS), "task_id", "step", "prompt_set",
                "prompt_id");
        List<String> all = new ArrayList<>(ids);
        all.addAll(plan.immunise().stream().map(ImmuniseTask::taskId).toList());
        List<Path> failureFiles = new ArrayList<>(ResultTables.jsonFiles(layout.failures("immunise"), all));
        failureFiles.addAll(ResultTables.jsonFiles(layout.failures("attack"), all));
        ResultTables.rebuild(spark, FAILURES, failureFiles, layout.table(RunLayout.FAILURES), "stage",
                "task_id");
        return finish("attack", plan.attacks().size(), pending.size(), outcomes, t0, out, failures);
    }

    private static List<String> committed(TaskStore store, List<String> planIds) {
        Set<String> done = store.done();
        return planIds.stream().filter(done::contains).distinct().toList();
    }

    private static StageSummary finish(String stage, int tasks, int ran, List<TaskOutcome> outcomes, long t0,
            PrintStream out, List<TaskOutcome> failures) {
        int failed = 0;
        double taskSeconds = 0;
        double modelSeconds = 0;
        for (TaskOutcome o : outcomes) {
            taskSeconds += o.seconds();
            modelSeconds += o.modelSeconds();
            if (o.failed()) {
                failed++;
                failures.add(o);
                out.printf("%s: task %s FAILED [%s]: %s%n", stage, o.taskId(), o.placement(), o.summary());
            } else {
                out.printf("%s: %s [%s] %s%n", stage, o.taskId(), o.placement(), o.summary());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "%s: %d done, %d skipped (done before), %d failed in %.1f s%n", stage,
                ran - failed, tasks - ran, failed, seconds);
        return new StageSummary(stage, tasks, ran, tasks - ran, failed, seconds, taskSeconds, modelSeconds);
    }

    /**
     * The resolved config, with every default and every defence point filled in. A directory that holds another
     * experiment's run is refused: mixing two plans' task ledgers would be silently wrong.
     */
    static void writeRunYaml(RunLayout layout, ExperimentPlan plan) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Path file = layout.runYaml();
        try {
            if (Files.isRegularFile(file)) {
                Object previous = yaml.readValue(file.toFile(), Map.class).get("run_id");
                if (previous != null && !previous.equals(plan.runId())) {
                    throw new IllegalArgumentException("--out " + layout.root() + " holds the run " + previous
                            + " of another experiment config (this one is " + plan.runId()
                            + "); use another output directory");
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run_id", plan.runId());
            m.putAll(plan.resolved());
            Files.createDirectories(layout.root());
            Path tmp = file.resolveSibling(".tmp-run.yaml");
            yaml.writeValue(tmp.toFile(), m);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void writeSummary(RunLayout layout, Summary s) {
        try {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(layout.root().resolve(RunLayout.SUMMARY)
                    .toFile(), s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write summary", e);
        }
    }

    /** Metric rows of a finished attack stage, read back. */
    static List<MetricRow> metrics(SparkSession spark, RunLayout layout) {
        Path table = layout.table(RunLayout.METRICS);
        if (!Files.isDirectory(table)) {
            throw new IllegalArgumentException("no metrics table at " + table + "; run the attack stage first");
        }
        List<Row> rows = spark.read().parquet(table.toString()).collectAsList();
        return METRICS.fromRows(rows);
    }
}
