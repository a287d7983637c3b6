package org.immunobench.jobs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code immunobench demo}: the toy world (built, or reused when up to date) under {@code OUT/world}, then the
 * experiment of {@code conf/demo.yaml} (packaged in the jar) under {@code OUT/run}. Rerunning it resumes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Builds the toy world under OUT/world (reused when up to date), then runs conf/demo.yaml into"
            + " OUT/run: LoX vs the undefended aligned model under harmful fine-tuning, with the four pillars and"
            + " a leaderboard (OUT/run/leaderboard.{md,csv,html}). CPU, a few minutes."})
final class DemoCommand implements Callable<Integer> {
    static final String RESOURCE = "/org/immunobench/jobs/demo.yaml";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Demo directory.")
    private Path out;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master of the run (default local[*]).")
    private String master;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads per task (default 1).")
    private Integer threads;

    @Option(names = "--device", paramLabel = "cpu|gpu|auto",
            description = "Where the run's tasks train and evaluate (see run --help; default cpu).")
    private DeviceChoice device;

    @Option(names = "--force", description = "Rerun every task of the experiment.")
    private boolean force;

    @Override
    public Integer call() {
        Path world = out.resolve("world");
        long t0 = System.nanoTime();
        int rc = Cli.execute("world", "--out", world.toString());
        if (rc != Cli.OK) {
            return rc;
        }
        System.out.printf("demo: world ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Path config = out.resolve("demo.yaml");
        try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("demo.yaml is missing from the jar (" + RESOURCE + ")");
            }
            Files.createDirectories(out);
            Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        List<String> args = new ArrayList<>(List.of("run", "--config", config.toString(), "--world",
                world.toString(), "--out", out.resolve("run").toString()));
        if (master != null) {
            args.addAll(List.of("--master", master));
        }
        if (threads != null) {
            args.addAll(List.of("--threads", threads.toString()));
        }
        if (device != null) {
            args.addAll(List.of("--device", device.name()));
        }
        if (force) {
            args.add("--force");
        }
        rc = Cli.execute(args.toArray(String[]::new));
        System.out.printf("demo: done in %.1f s; leaderboard: %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("run").resolve("leaderboard.html"));
        return rc;
    }
}
