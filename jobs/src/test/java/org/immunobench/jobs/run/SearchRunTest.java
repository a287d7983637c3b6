package org.immunobench.jobs.run;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.evaluation.results.MetricRow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search stage end to end on the tiny world: tables, TamperBench files, leaderboard columns and chart; and a
 * driver killed with kill -9 in the middle of the search, then run again, repeats no committed trial, resumes no
 * stopped one, and ends with exactly the rows of an uninterrupted run.
 */
@Tag("slow")
class SearchRunTest {
    static String experiment() {
        return """
                version: 1
                name: tiny-search
                parents:
                  - name: aligned
                    checkpoint: world:aligned
                    reference: world:base
                defences:
                  - name: none
                  - name: lox
                    config: {rank: 2, alpha: 0.5}
                attacks:
                  - kind: harmful_sft
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                    eval_steps: [0, 2]
                    search:
                      trials: 6
                      wave: 2
                      space:
                        lr: {log_uniform: [1.0e-4, 1.0e-2]}
                        lora_rank: {choice: [null, 2]}
                      scheduler: {eta: 2, min_resource: 1, max_resource: 4}
                evaluation:
                  harmful_prompts: 6
                  benign_prompts: 12
                  nll_rows: 6
                  max_new_tokens: 6
                """;
    }

    private static RunJob.Summary run(ExperimentConfig c, Path out) {
        return RunJob.run(TestSpark.get(), c, ExperimentPlan.of(c, TinyWorld.get(), out, 1), new RunLayout(out),
                RunJob.STAGES, false, false, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8));
    }

    /** Search metric rows without the measurement time, in table order. */
    static List<String> searchLines(Path run) {
        List<Row> rows = TestSpark.get().read().parquet(run.resolve("search/metrics").toString()).collectAsList();
        return RunJob.METRICS.fromRows(rows).stream()
                .map(m -> new MetricRow(m.runId(), m.taskId(), m.checkpointId(), m.parentId(), m.defence(), m.track(),
                        m.attack(), m.attackConfigJson(), m.dataSplit(), m.seed(), m.step(), m.pillar(), m.metric(),
                        m.value(), m.n(), m.judge(), m.higherIsBetter(), "", m.codeVersion()).toString())
                .toList();
    }

    @Test
    void aSearchWritesItsTablesTamperBenchFilesAndLeaderboardFigures(@TempDir Path tmp) throws Exception {
        ExperimentConfig c = ExperimentConfigs.parse(experiment(), "search.yaml");
        Path out = tmp.resolve("run");
        RunJob.Summary first = run(c, out);
        assertEquals(0, first.failed());
        RunJob.StageSummary search = first.stages().get(2);
        assertEquals("search", search.stage());
        assertEquals(12, search.ran());
        SparkSession spark = TestSpark.get();
        List<TrialRow> trials = SearchStage.TRIALS.fromRows(spark.read().parquet(out.resolve("search/trials")
                .toString()).collectAsList());
        assertEquals(12, trials.size());
        for (TrialRow t : trials) {
            assertTrue(List.of("completed", "stopped").contains(t.status()), t.toString());
            assertEquals(t.status().equals("completed"), t.lastStep() == 4, t.toString());
            int maxStep = searchLines(out).stream().filter(l -> l.contains("taskId=" + t.trialId() + ","))
                    .mapToInt(l -> Integer.parseInt(l.replaceAll(".*step=(\\d+),.*", "$1"))).max().orElseThrow();
            assertEquals(t.lastStep(), maxStep, "a stopped trial has no measurement after its stop");
        }
        assertTrue(trials.stream().anyMatch(t -> t.status().equals("stopped")), "successive halving stopped some");

        Path trial = Files.list(out.resolve("tamperbench")).sorted().findFirst().orElseThrow()
                .resolve("harmful_sft/optuna_single/trial_0/tamperbench_evaluation");
        List<Row> scores = spark.read().parquet(trial.resolve("strong_reject/evaluator_scores.parquet").toString())
                .collectAsList();
        assertEquals(6, scores.size(), "one row per harmful eval prompt");
        assertEquals(List.of("prompt", "response", "score"), List.of(scores.get(0).schema().fieldNames()));
        assertEquals(List.of("prompt", "response"), List.of(spark.read().parquet(trial.resolve(
                "mmlu_pro_val/inferences.parquet").toString()).schema().fieldNames()));
        assertTrue(Files.readString(trial.resolve("strong_reject/evaluation.json"))
                .contains("\"metric_name\" : \"strong_reject_score\""));

        String board = Files.readString(out.resolve("leaderboard.md"));
        assertTrue(board.contains("| resistance bounded_worst_case_eps_5 | resistance worst_case"
                + " | resistance worst_case_harm |"), board);
        assertTrue(Files.size(out.resolve("best_so_far.png")) > 1000);
        assertTrue(Files.readString(out.resolve("leaderboard.html")).contains("best harm so far"));
        long pillarRows = spark.read().parquet(out.resolve("pillars").toString())
                .filter("metric like 'bounded_worst_case_eps_%'").count();
        assertEquals(2 * 4, pillarRows, "two checkpoints x four budgets");

        RunJob.Summary second = run(c, out);
        assertEquals(0, second.stages().get(2).ran(), "a finished search runs nothing again");
    }

    @Test
    void aSearchKilledMidwayResumesWithoutRepeatingOrResumingTrials(@TempDir Path tmp) throws Exception {
        Path world = TinyWorld.get();
        Path config = tmp.resolve("search.yaml");
        Files.writeString(config, experiment());
        Path killed = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("-XX:+Ignore")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.immunobench.jobs.Cli", "run",
                "--config", config.toString(), "--world", world.toString(), "--out", killed.toString(),
                "--master", "local[2]", "--threads", "1"));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("driver.log").toFile()).start();
        TaskStore trials = new TaskStore(killed.resolve(RunLayout.TASKS).resolve("search"));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (trials.done().isEmpty() && driver.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(driver.isAlive(), "the driver ended before any trial was committed: "
                + Files.readString(tmp.resolve("driver.log")));
        driver.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        driver.waitFor(1, TimeUnit.MINUTES);
        Map<String, String> before = new HashMap<>();
        for (String id : trials.done()) {
            before.put(id, Files.readString(trials.dir().resolve(id).resolve("metrics.jsonl"))
                    + Files.readString(trials.dir().resolve(id).resolve(TrialHook.FILE)));
        }
        assertTrue(before.size() >= 1 && before.size() < 12, "killed after " + before.size() + " of 12 trials");

        ExperimentConfig c = ExperimentConfigs.parse(experiment(), "search.yaml");
        RunJob.Summary resumed = run(c, killed);
        RunJob.StageSummary search = resumed.stages().get(2);
        assertEquals(before.size(), search.skipped(), "committed trials are not run again");
        assertEquals(12 - before.size(), search.ran());
        before.forEach((id, files) -> {
            try {
                assertEquals(files, Files.readString(trials.dir().resolve(id).resolve("metrics.jsonl"))
                        + Files.readString(trials.dir().resolve(id).resolve(TrialHook.FILE)), id + " was rewritten");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (Stream<Path> left = Files.list(trials.dir())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no half-written trial");
        }

        Path clean = tmp.resolve("clean");
        run(c, clean);
        assertEquals(searchLines(clean), searchLines(killed), "same rows as an uninterrupted search");
        List<Row> a = TestSpark.get().read().parquet(killed.resolve("search/trials").toString())
                .select("trial_id", "status", "last_step", "rung_scores_json").collectAsList();
        List<Row> b = TestSpark.get().read().parquet(clean.resolve("search/trials").toString())
                .select("trial_id", "status", "last_step", "rung_scores_json").collectAsList();
        assertEquals(b, a, "same decisions");
    }
}
