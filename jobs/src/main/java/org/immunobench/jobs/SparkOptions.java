package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options every Spark subcommand shares (a picocli mixin). */
public final class SparkOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark.master set by spark-submit, else local[*]).")
    private String master;

    @Option(names = "--device", paramLabel = "cpu|gpu|auto", defaultValue = "cpu",
            description = "cpu; gpu: each task runs on the GPU Spark assigns it and fails without one or without"
                    + " CUDA (needs executor GPUs, see conf/spark-gpu.conf); auto: the assigned GPU when CUDA is"
                    + " there, else the CPU. Local masters always use the CPU. Default: ${DEFAULT-VALUE}.")
    private DeviceChoice device;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch intra-op threads per task (default: spark.task.cpus, i.e. one per task slot).")
    private Integer threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark setting; repeatable.")
    private Map<String, String> conf = new LinkedHashMap<>();

    /** Resolves the options against spark-submit's conf; a conflict is a usage error naming the flag. */
    public SparkSessions.Plan plan() {
        try {
            return SparkSessions.plan(new SparkConf(), master, conf, device, threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
