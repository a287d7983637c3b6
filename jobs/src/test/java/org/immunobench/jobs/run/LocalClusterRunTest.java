package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.jobs.ApplicationJars;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster path across real process boundaries: {@code bin/local-cluster} starts a Spark standalone master and two
 * workers with two fake GPUs each, a child JVM submits a small {@code run} through {@code SparkSubmit} (the
 * application's classes shipped as jars, executors started by the workers), and then
 * <ul>
 *   <li>every training task (immunise and attack) ran on an executor with a GPU address Spark assigned it, and no
 *       two tasks that ran at the same time shared a GPU (an executor's address);</li>
 *   <li>with {@code --device auto} and no CUDA here, every task fell back to the CPU, and said so;</li>
 *   <li>the metric rows equal those of the same run in local mode.</li>
 * </ul>
 * It starts six JVMs besides the test's own, so it is not part of the default suite: run it with
 * {@code mvn -pl jobs -am test -Dtest=LocalClusterRunTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dimmunobench.cluster-test=true}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "immunobench.cluster-test", matches = "true")
class LocalClusterRunTest {
    private static final int WORKERS = 2;
    private static final int GPUS = 2;

    @TempDir
    Path tmp;

    @Test
    void aRunSubmittedToAStandaloneClusterUsesEveryGpuOnceAtATimeAndMatchesLocalMode() throws Exception {
        long t0 = System.nanoTime();
        Path world = TinyWorld.get();
        String yaml = TinyWorld.experiment("");
        Path config = tmp.resolve("exp.yaml");
        Files.writeString(config, yaml);
        ExperimentConfig c = ExperimentConfigs.parse(yaml, "exp.yaml");
        List<String> stages = List.of("immunise", "attack");

        Path localOut = tmp.resolve("local");
        RunJob.run(TestSpark.get(), c, ExperimentPlan.of(c, world, localOut, 1), new RunLayout(localOut), stages,
                false, false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        List<String> local = RunJobTest.metricLines(localOut);
        double localSeconds = (System.nanoTime() - t0) / 1e9;

        Path repo = repoRoot();
        Path clusterDir = tmp.resolve("cluster");
        Path clusterOut = tmp.resolve("cluster-run");
        long c0 = System.nanoTime();
        String started = script(repo, clusterDir, "start", "--workers", Integer.toString(WORKERS),
                "--gpus-per-worker", Integer.toString(GPUS), "--cores", "2", "--port", "0");
        double startSeconds = (System.nanoTime() - c0) / 1e9;
        try {
            String master = Files.readString(clusterDir.resolve("master-url")).strip();
            assertTrue(master.matches("spark://127\\.0\\.0\\.1:\\d+"), started);
            long s0 = System.nanoTime();
            String driverLog = submit(clusterDir, master, config, world, clusterOut);
            double submitSeconds = (System.nanoTime() - s0) / 1e9;

            JsonNode tasks = new ObjectMapper().readTree(clusterOut.resolve(RunLayout.SUMMARY).toFile()).get("tasks");
            List<JsonNode> all = new ArrayList<>();
            tasks.forEach(all::add);
            assertEquals(2 + 4, all.size(), driverLog);
            System.out.println("stage     task              executor gpu device  start(ms) end(ms)");
            long origin = all.stream().mapToLong(t -> t.get("startedAtMs").asLong()).min().orElse(0);
            for (JsonNode t : all) {
                System.out.printf("%-9s %-17s %-8s %-3s %-7s %9d %7d%n", t.get("stage").asText(),
                        t.get("taskId").asText(), t.get("executor").asText(), t.get("gpuAddress").asText(),
                        t.get("device").asText(), t.get("startedAtMs").asLong() - origin,
                        t.get("endedAtMs").asLong() - origin);
                assertEquals("done", t.get("status").asText(), t.toString());
                assertNotEquals("driver", t.get("executor").asText(), "ran in the driver: " + t);
                assertFalse(t.get("gpuAddress").isNull(), "no GPU assigned: " + t);
                assertTrue(t.get("gpuAddress").asText().matches("[0-" + (GPUS - 1) + "]"), t.toString());
                assertEquals("cpu", t.get("device").asText(), "no CUDA here, so auto must fall back: " + t);
            }
            for (int i = 0; i < all.size(); i++) {
                for (int j = i + 1; j < all.size(); j++) {
                    JsonNode a = all.get(i);
                    JsonNode b = all.get(j);
                    boolean sameGpu = a.get("executor").asText().equals(b.get("executor").asText())
                            && a.get("gpuAddress").asText().equals(b.get("gpuAddress").asText());
                    boolean overlap = a.get("startedAtMs").asLong() < b.get("endedAtMs").asLong()
                            && b.get("startedAtMs").asLong() < a.get("endedAtMs").asLong();
                    assertFalse(sameGpu && overlap, "two tasks on one GPU at once: " + a + " and " + b);
                }
            }
            long gpusUsed = all.stream().map(t -> t.get("executor").asText() + "/" + t.get("gpuAddress").asText())
                    .distinct().count();
            assertTrue(gpusUsed >= 2, "tasks were spread over " + gpusUsed + " GPU(s)");
            assertTrue(driverLog.contains("-> cpu]"), driverLog);

            List<String> cluster = RunJobTest.metricLines(clusterOut);
            assertEquals(local.size(), cluster.size());
            assertEquals(local, cluster, "metric rows of the cluster run differ from local mode");
            System.out.printf("local-cluster run: %d tasks on %d distinct GPU(s) of %d workers x %d; %d metric rows"
                    + " equal to local mode; local run %.0f s, cluster start %.0f s, submit %.0f s%n", all.size(),
                    gpusUsed, WORKERS, GPUS, cluster.size(), localSeconds, startSeconds, submitSeconds);
            assertTrue(Files.isDirectory(clusterDir.resolve("logs/worker-1")), "executor logs under the cluster dir");
        } finally {
            script(repo, clusterDir, "stop");
        }
    }

    /** Runs bin/local-cluster with this JVM's class path, returns its output; a non-zero exit fails the test. */
    private static String script(Path repo, Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/local-cluster").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--dir", dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("IMMUNOBENCH_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "bin/local-cluster " + args[0] + " hung");
        assertEquals(0, p.exitValue(), "bin/local-cluster " + String.join(" ", args) + ":\n" + out);
        System.out.print(out);
        return out;
    }

    /** SparkSubmit in a child JVM whose class path is the cluster's, as with a Spark distribution. */
    private static String submit(Path clusterDir, String master, Path config, Path world, Path out)
            throws IOException, InterruptedException {
        List<String> jars = ApplicationJars.locate();
        String primary = null;
        List<String> others = new ArrayList<>();
        for (String j : jars) {
            try (JarFile f = new JarFile(j)) {
                if (f.getEntry("org/immunobench/jobs/Cli.class") != null) {
                    primary = j;
                    continue;
                }
            }
            others.add(j);
        }
        assertNotNull(primary, "no jar holds the CLI: " + jars);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-XX:+Ignore") || arg.startsWith("-Dio.netty")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Dai.djl.offline=true", "-cp", clusterDir.resolve("spark-home/jars") + "/*",
                "org.apache.spark.deploy.SparkSubmit", "--master", master, "--class", "org.immunobench.jobs.Cli",
                "--conf", "spark.executor.resource.gpu.amount=" + GPUS, "--conf", "spark.executor.memory=1g",
                "--conf", "spark.ui.enabled=false"));
        if (!others.isEmpty()) {
            cmd.addAll(List.of("--jars", String.join(",", others)));
        }
        cmd.addAll(List.of(primary, "run", "--config", config.toString(), "--world", world.toString(), "--out",
                out.toString(), "--stages", "immunise,attack", "--device", "auto", "--threads", "1"));
        Path log = out.resolveSibling("driver.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(ended, "spark-submit did not finish:\n" + text);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static Path repoRoot() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("bin/local-cluster"))) {
                return p;
            }
        }
        throw new IllegalStateException("bin/local-cluster not found above " + System.getProperty("user.dir"));
    }
}
