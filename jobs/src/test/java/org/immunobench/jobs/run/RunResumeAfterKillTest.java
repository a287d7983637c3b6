package org.immunobench.jobs.run;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the driver in the middle of the attack stage, then a rerun: the metric rows equal those of an
 * uninterrupted run, with no duplicates and nothing missing.
 */
@Tag("slow")
class RunResumeAfterKillTest {
    @Test
    void aKilledRunResumesToExactlyTheRowsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path world = TinyWorld.get();
        String yaml = TinyWorld.experiment("").replace("seeds: [0]", "seeds: [0, 1, 2]");
        Path config = tmp.resolve("exp.yaml");
        Files.writeString(config, yaml);
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
        TaskStore attacks = new TaskStore(killed.resolve(RunLayout.TASKS).resolve("attack"));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (attacks.done().isEmpty() && driver.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(driver.isAlive(), "the driver ended before any attack task was committed: "
                + Files.readString(tmp.resolve("driver.log")));
        driver.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        driver.waitFor(1, TimeUnit.MINUTES);
        int committed = attacks.done().size();
        ExperimentConfig c = ExperimentConfigs.parse(yaml, "exp.yaml");
        int total = ExperimentPlan.of(c, world, killed, 1).attacks().size();
        assertTrue(committed >= 1 && committed < total, "killed after " + committed + " of " + total + " tasks");

        RunJob.Summary resumed = RunJob.run(org.immunobench.curation.testing.TestSpark.get(), c,
                ExperimentPlan.of(c, world, killed, 1), new RunLayout(killed), RunJob.STAGES, false, false,
                System.out);
        assertEquals(committed, resumed.stages().get(1).skipped());
        Path clean = tmp.resolve("clean");
        RunJob.run(org.immunobench.curation.testing.TestSpark.get(), c, ExperimentPlan.of(c, world, clean, 1),
                new RunLayout(clean), RunJob.STAGES, false, false, System.out);
        List<String> a = RunJobTest.metricLines(killed);
        List<String> b = RunJobTest.metricLines(clean);
        assertEquals(b.size(), a.size());
        List<String> differing = a.stream().filter(l -> !b.contains(l)).limit(3).toList();
        assertTrue(differing.isEmpty(), "rows of the resumed run not in the clean run, e.g. " + differing);
        assertEquals(b, a, "same rows, same order");
    }
}
