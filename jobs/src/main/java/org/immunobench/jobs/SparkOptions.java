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
    /** Where tasks run their models. */
    public enum Device { cpu, gpu }

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark.master set by spark-submit, else local[*]).")
    private String master;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "cpu, or gpu: each task runs on the GPU Spark assigns it (needs"
                    + " spark.task.resource.gpu.amount; local masters always use the CPU). Default: ${DEFAULT-VALUE}.")
    private Device device;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch intra-op threads per task (default: spark.task.cpus, i.e. one per task slot).")
    private Integer threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark setting; repeatable.")
    private Map<String, String> conf = new LinkedHashMap<>();

    /** Resolves the options against spark-submit's conf; a conflict is a usage error naming the flag. */
    public SparkSessions.Plan plan() {
        try {
            return SparkSessions.plan(new SparkConf(), master, conf, device == Device.gpu, threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
