package org.immunobench.jobs.run;

import ai.djl.Device;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.immunobench.jobs.GpuProfiles;
import org.immunobench.jobs.SparkSessions;
import org.immunobench.jobs.TaskDevices;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the pending tasks of one stage as one Spark job, a Spark task per benchmark task (so the scheduler spreads
 * them over executors and GPUs), and reports progress as tasks end: done/total and an estimate of the time left.
 *
 * <p>A task that throws does not fail the job: its error becomes a {@link FailureRow} file next to the ledger and
 * the other tasks go on. A task already in the ledger is not run again.
 *
 * <p>Every stage run here trains (immunise and attack), so with GPU scheduling on (a cluster master and executor
 * GPUs, {@link SparkSessions.Placement}) the job runs under a ResourceProfile asking one GPU per task
 * ({@link GpuProfiles}); each task then opens its model on the GPU Spark assigned it ({@link TaskDevices}) and its
 * outcome records the executor, the assigned address and the device used.
 */
final class StageRunner {
    /** The work of one task on an executor. */
    @FunctionalInterface
    interface TaskBody<T> extends Serializable {
        TaskOutcome run(T task, TaskStore store, Device device) throws Exception;
    }

    /** Where a task's failure is about (the checkpoint it read …). */
    @FunctionalInterface
    interface FileOf<T> extends Serializable {
        String file(T task);
    }

    private StageRunner() {
    }

    static <T extends Serializable> List<TaskOutcome> run(SparkSession spark, String stage, List<T> pending,
            List<String> ids, String runId, RunLayout layout, SparkSessions.Placement placement, TaskBody<T> body,
            FileOf<T> fileOf, PrintStream out) {
        if (pending.isEmpty()) {
            return List.of();
        }
        String storeDir = layout.tasks(stage).toString();
        String failureDir = layout.failures(stage).toString();
        List<Keyed<T>> keyed = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            keyed.add(new Keyed<>(ids.get(i), pending.get(i)));
        }
        Progress progress = new Progress(stage, pending.size(), out);
        spark.sparkContext().addSparkListener(progress);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            jsc.setJobDescription(stage + ": " + pending.size() + " tasks");
            JavaRDD<Keyed<T>> tasks = jsc.parallelize(keyed, keyed.size());
            if (placement.gpuScheduling()) {
                tasks = tasks.withResources(GpuProfiles.oneGpuPerTask(spark.sparkContext().getConf(),
                        placement.taskCpus()));
            }
            return tasks.map(k -> {
                long t0 = System.nanoTime();
                long started = System.currentTimeMillis();
                String executor = TaskDevices.executorId();
                TaskStore store = new TaskStore(Path.of(storeDir));
                TaskDevices.Assignment where = null;
                try {
                    where = TaskDevices.current(placement.device());
                    TaskOutcome o = body.run(k.task(), store, where.device().toDevice());
                    Files.deleteIfExists(Path.of(failureDir).resolve(k.id() + ".json"));
                    return o.placed(executor, where.gpuAddress(), where.device().toString(), started,
                            System.currentTimeMillis());
                } catch (Exception | Error e) {
                    String error = org.immunobench.jobs.Cli.oneLine(e);
                    FailureRow f = new FailureRow(runId, k.id(), stage, error, fileOf.file(k.task()),
                            Instant.now().toString());
                    TaskStore.writeAtomically(Path.of(failureDir).resolve(k.id() + ".json"), List.of(f));
                    return new TaskOutcome(k.id(), stage, "failed", (System.nanoTime() - t0) / 1e9, 0, error)
                            .placed(executor, where == null ? null : where.gpuAddress(),
                                    where == null ? null : where.device().toString(), started,
                                    System.currentTimeMillis());
                }
            }).collect();
        } finally {
            spark.sparkContext().removeSparkListener(progress);
        }
    }

    /** A task with its id, as one element of the stage's RDD. */
    record Keyed<T>(String id, T task) implements Serializable {
    }

    /** Prints "attack: 5/12 tasks done (1 failed), ~1 m 40 s left" as Spark tasks end. */
    static final class Progress extends SparkListener {
        private final String stage;
        private final int total;
        private final PrintStream out;
        private final long started = System.nanoTime();
        private final AtomicInteger ended = new AtomicInteger();

        Progress(String stage, int total, PrintStream out) {
            this.stage = stage;
            this.total = total;
            this.out = out;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            int done = ended.incrementAndGet();
            double elapsed = (System.nanoTime() - started) / 1e9;
            out.println(String.format(Locale.ROOT, "%s: %d/%d tasks ended, %s elapsed, ~%s left", stage, done, total,
                    duration(elapsed), duration(eta(elapsed, done, total))));
            out.flush();
        }
    }

    /** Time left if the remaining tasks take as long as the ended ones did on average. */
    static double eta(double elapsed, int done, int total) {
        return done == 0 ? Double.NaN : elapsed / done * (total - done);
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + " m " + (s % 60) + " s" : s + " s";
    }
}
