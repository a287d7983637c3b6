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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark loop end to end on a tiny world: tables, ledger, resume and failure rows. */
@Tag("slow")
class RunJobTest {
    private static RunJob.Summary run(ExperimentConfig c, Path out, boolean force) {
        ExperimentPlan plan = ExperimentPlan.of(c, TinyWorld.get(), out, 1);
        return RunJob.run(TestSpark.get(), c, plan, new RunLayout(out), RunJob.STAGES, force, false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** Metric rows without the measurement time, in table order, as comparable strings. */
    static List<String> metricLines(Path run) {
        SparkSession spark = TestSpark.get();
        List<Row> rows = spark.read().parquet(run.resolve(RunLayout.METRICS).toString()).collectAsList();
        return RunJob.METRICS.fromRows(rows).stream()
                .map(m -> new MetricRow(m.runId(), m.taskId(), m.checkpointId(), m.parentId(), m.defence(), m.track(),
                        m.attack(), m.attackConfigJson(), m.dataSplit(), m.seed(), m.step(), m.pillar(), m.metric(),
                        m.value(), m.n(), m.judge(), m.higherIsBetter(), "", m.codeVersion()).toString())
                .toList();
    }

    @Test
    void runsEveryStageThenSkipsWhatIsDone(@TempDir Path tmp) throws Exception {
        ExperimentConfig c = ExperimentConfigs.parse(TinyWorld.experiment(""), "tiny.yaml");
        Path out = tmp.resolve("run");
        RunJob.Summary first = run(c, out, false);
        assertEquals(0, first.failed());
        assertEquals(2, first.stages().get(0).ran());
        assertEquals(4, first.stages().get(1).ran());
        SparkSession spark = TestSpark.get();
        assertEquals(2, spark.read().parquet(out.resolve(RunLayout.MANIFEST).toString()).count());
        List<String> metrics = metricLines(out);
        // 2 checkpoints x [harmful SFT: 2 steps x (3 harm + nll + 3 benign) + 1 attack detail rows ...]: at least
        // one harmful_rate per (checkpoint, step) of the resistance tasks.
        long harm = metrics.stream().filter(l -> l.contains("metric=harmful_rate")).count();
        assertEquals(4, harm);
        // drift probes: representations on the resistance tasks' steps, perplexity on every task's steps
        assertEquals(4, metrics.stream().filter(l -> l.contains("metric=hed,")).count());
        assertEquals(8, metrics.stream().filter(l -> l.contains("metric=ppl_drift,")).count());
        assertTrue(spark.read().parquet(out.resolve(RunLayout.GENERATIONS).toString()).count() > 0);
        assertTrue(spark.read().parquet(out.resolve(RunLayout.PILLARS).toString()).count() > 0);
        for (String f : List.of("leaderboard.md", "leaderboard.csv", "leaderboard.html", "run.yaml")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        String board = Files.readString(out.resolve("leaderboard.md"));
        assertTrue(board.contains("lox") && board.contains("none"), board);
        // The leaderboard stage bootstraps over the stored verdicts: every rate row gets its interval, the harm
        // figures a bootstrap interval, and the page a drill-down with stored generations.
        List<Row> rates = spark.read().parquet(out.resolve(RunLayout.RATE_INTERVALS).toString()).collectAsList();
        assertEquals(metrics.stream().filter(l -> l.contains("metric=harmful_rate")
                || l.contains("metric=refusal_rate") || l.contains("metric=fluent_rate")
                || l.contains("metric=benign_accuracy") || l.contains("metric=task_accuracy")
                || l.contains("metric=over_refusal")).count(), rates.size());
        for (Row r : rates) {
            double v = r.getAs("value");
            assertTrue((double) r.getAs("ci_low") <= v && v <= (double) r.getAs("ci_high"), r.toString());
        }
        assertTrue(spark.read().parquet(out.resolve(RunLayout.PILLARS).toString())
                .filter("metric = 'auc_harm_log_steps' and ci_method = 'bootstrap' and n_boot = 1000").count() > 0);
        String html = Files.readString(out.resolve("leaderboard.html"));
        assertTrue(html.contains("<h2 id=\"drill-down\">") && html.contains("Stored generations, judge"), html);

        RunJob.Summary second = run(c, out, false);
        assertEquals(0, second.stages().get(0).ran());
        assertEquals(0, second.stages().get(1).ran());
        assertEquals(metrics, metricLines(out));
    }

    @Test
    void aCorruptCheckpointIsOneFailureRowAndTheOthersComplete(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Path aligned = TinyWorld.get().resolve("models/aligned");
        Files.copy(aligned.resolve("config.json"), broken.resolve("config.json"));
        Files.copy(aligned.resolve("tokenizer.json"), broken.resolve("tokenizer.json"));
        Files.write(broken.resolve("model.safetensors"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        String yaml = """
                version: 1
                parents:
                  - name: good
                    checkpoint: world:aligned
                  - name: broken
                    checkpoint: %s
                attacks:
                  - kind: harmful_sft
                    params: {steps: 1, batch: 2, samples: 4}
                    eval_steps: [0, 1]
                evaluation: {harmful_prompts: 2, benign_prompts: 4, nll_rows: 2, max_new_tokens: 4}
                """.formatted(broken);
        ExperimentConfig c = ExperimentConfigs.parse(yaml, "broken.yaml");
        Path out = tmp.resolve("run");
        RunJob.Summary s = run(c, out, false);
        assertEquals(1, s.stages().get(0).failed());
        assertEquals(1, s.stages().get(0).ran() - s.stages().get(0).failed());
        assertEquals(1, s.stages().get(1).ran()); // the good checkpoint's attack; the broken one has none to attack
        assertEquals(0, s.stages().get(1).failed());
        List<FailureRow> failures = RunJob.FAILURES.fromRows(TestSpark.get().read()
                .parquet(out.resolve(RunLayout.FAILURES).toString()).collectAsList());
        assertEquals(1, failures.size());
        assertEquals("immunise", failures.get(0).stage());
        assertEquals(broken.toString(), failures.get(0).file());
        assertTrue(failures.get(0).error().contains("model.safetensors"), failures.get(0).error());
        Set<String> defences = metricLines(out).stream().map(l -> l.substring(l.indexOf("defence=")))
                .collect(Collectors.toSet());
        assertFalse(defences.isEmpty());
    }
}
