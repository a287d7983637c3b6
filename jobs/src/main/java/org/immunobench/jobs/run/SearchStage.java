package org.immunobench.jobs.run;

import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.jobs.SparkSessions;
import org.immunobench.jobs.search.Score;
import org.immunobench.jobs.search.TrialResult;
import org.immunobench.jobs.search.Waves;
import org.immunobench.lm.config.ConfigBinder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The search stage: every {@link SearchPlan} of the plan, wave by wave ({@link Waves}); wave w of all searches is one
 * Spark job with a task per trial ({@link TrialRunner}) through the same ledger as every stage
 * ({@code tasks/search/<trial id>/}). A search waits for its checkpoint (made by the immunise stage). Then the
 * tables {@code search/metrics}, {@code search/generations}, {@code search/trials} and {@code search/failures} are
 * rebuilt from the committed trials, and their per-item results are written in TamperBench's layout
 * ({@link TamperBenchExport}).
 */
final class SearchStage {
    static final String STAGE = "search";
    static final RecordSchema<TrialRow> TRIALS = RecordSchema.of(TrialRow.class);

    private SearchStage() {
    }

    static RunJob.StageSummary run(SparkSession spark, ExperimentPlan plan, RunLayout layout, boolean force,
            SparkSessions.Placement gpu, PrintStream out, List<TaskOutcome> failures) {
        long t0 = System.nanoTime();
        Set<String> checkpoints = new TaskStore(layout.tasks("immunise")).done();
        TaskStore store = new TaskStore(layout.tasks(STAGE));
        store.removeLeftovers();
        List<SearchPlan> ready = new ArrayList<>();
        int blocked = 0;
        for (SearchPlan s : plan.searches()) {
            if (!checkpoints.contains(s.checkpointId())) {
                blocked += s.tasks().size();
                continue;
            }
            if (force) {
                s.tasks().forEach(t -> store.forget(t.taskId()));
            }
            ready.add(s);
        }
        int total = plan.searches().stream().mapToInt(s -> s.tasks().size()).sum();
        Set<String> doneBefore = store.done();
        int before = (int) ready.stream().flatMap(s -> s.tasks().stream()).filter(t -> doneBefore.contains(t
                .taskId())).count();
        out.printf("search: %d searches, %d trials, %d done before%s%n", plan.searches().size(), total, before,
                blocked > 0 ? ", " + blocked + " waiting for checkpoints that were not made" : "");
        List<TaskOutcome> outcomes = new ArrayList<>();
        List<Waves.Shape> shapes = ready.stream().map(s -> new Waves.Shape(s.trials().size(), s.config().wave()))
                .toList();
        int ran = Waves.run(shapes, s -> committed(store, ready.get(s)), (wave, pending) -> {
            List<TrialTask> tasks = new ArrayList<>();
            for (Waves.Pending p : pending) {
                SearchPlan s = ready.get(p.search());
                tasks.add(new TrialTask(s.tasks().get(p.trial()), s.searchId(), p.trial(), wave,
                        s.trials().get(p.trial()).rungs(), s.eta(), p.history()));
            }
            out.printf("search: wave %d, %d trials%n", wave, tasks.size());
            outcomes.addAll(StageRunner.run(spark, STAGE, tasks, tasks.stream().map(t -> t.attack().taskId())
                    .toList(), plan.runId(), layout, gpu, TrialRunner::run, t -> t.attack().checkpointDir(), out));
        });
        List<String> ids = plan.searches().stream().flatMap(s -> s.tasks().stream()).map(AttackTask::taskId)
                .toList();
        Set<String> done = store.done();
        List<String> committed = ids.stream().filter(done::contains).toList();
        ResultTables.rebuild(spark, RunJob.METRICS, ResultTables.taskFiles(store.dir(), committed, "metrics.jsonl"),
                layout.search(RunLayout.METRICS), "checkpoint_id", "task_id", "step", "metric");
        ResultTables.rebuild(spark, RunJob.GENERATIONS, ResultTables.taskFiles(store.dir(), committed,
                "generations.jsonl"), layout.search(RunLayout.GENERATIONS), "task_id", "step", "prompt_set",
                "prompt_id");
        ResultTables.rebuild(spark, TRIALS, ResultTables.taskFiles(store.dir(), committed, TrialHook.FILE),
                layout.search("trials"), "search_id", "trial_index");
        ResultTables.rebuild(spark, RunJob.FAILURES, ResultTables.jsonFiles(layout.failures(STAGE), ids),
                layout.search(RunLayout.FAILURES), "stage", "task_id");
        TamperBenchExport.write(plan, store, committed, layout.root().resolve(RunLayout.TAMPERBENCH));
        int failed = 0;
        for (TaskOutcome o : outcomes) {
            if (o.failed()) {
                failed++;
                failures.add(o);
                out.printf("search: trial %s FAILED: %s%n", o.taskId(), o.summary());
            } else {
                out.printf("search: %s %s%n", o.taskId(), o.summary());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "search: %d trials run, %d done before, %d failed in %.1f s%n", ran - failed,
                total - ran, failed, seconds);
        return new RunJob.StageSummary(STAGE, total, ran, total - ran, failed, seconds,
                outcomes.stream().mapToDouble(TaskOutcome::seconds).sum(),
                outcomes.stream().mapToDouble(TaskOutcome::modelSeconds).sum());
    }

    /** The committed trials of one search, read from their {@code trial.jsonl}, by index. */
    static Map<Integer, TrialResult> committed(TaskStore store, SearchPlan s) {
        Set<String> done = store.done();
        Map<Integer, TrialResult> out = new HashMap<>();
        for (int i = 0; i < s.tasks().size(); i++) {
            String id = s.tasks().get(i).taskId();
            if (done.contains(id)) {
                TrialRow row = readRow(store.dir().resolve(id).resolve(TrialHook.FILE));
                if (row.trialIndex() != i) {
                    throw new IllegalStateException(store.dir().resolve(id) + ": holds trial " + row.trialIndex()
                            + ", expected trial " + i + " of search " + s.searchId());
                }
                out.put(i, new TrialResult(i, row.status(), row.lastStep(), scores(row)));
            }
        }
        return out;
    }

    static TrialRow readRow(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.size() != 1) {
                throw new IllegalStateException(file + ": expected one trial row, found " + lines.size());
            }
            return ConfigBinder.mapper().readValue(lines.get(0), TrialRow.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Score> scores(TrialRow row) {
        try {
            List<Score> out = new ArrayList<>();
            for (var n : ConfigBinder.mapper().readTree(row.rungScoresJson())) {
                out.add(new Score(row.trialIndex(), n.get("step").asInt(), n.get("harm").asDouble(),
                        n.get("nll").asDouble(), n.get("drop").asDouble()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("trial " + row.trialId() + ": bad rung_scores_json", e);
        }
    }
}
