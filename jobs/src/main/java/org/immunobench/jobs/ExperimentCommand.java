package org.immunobench.jobs;

import org.apache.spark.sql.SparkSession;
import org.immunobench.jobs.run.ExperimentConfig;
import org.immunobench.jobs.run.ExperimentConfigs;
import org.immunobench.jobs.run.ExperimentPlan;
import org.immunobench.jobs.run.RunJob;
import org.immunobench.jobs.run.RunLayout;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What {@code run}, {@code immunise} and {@code attack} share: the experiment config, the run directory, resume
 * and failure handling. The subclasses only say which stages run.
 */
abstract class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions sparkOptions;

    @Mixin
    DtypeOption dtypeOption;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Experiment YAML (see conf/demo.yaml).")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (created; reused to resume).")
    Path out;

    @Option(names = "--world", paramLabel = "DIR", description = "Toy world directory (overrides world: in the config).")
    Path world;

    @Option(names = "--force", description = "Run every task again, even those the ledger has as done.")
    boolean force;

    @Option(names = "--fail-on-task-failure",
            description = "Exit with code 1 when any task failed (default: report failures and exit 0).")
    boolean failOnTaskFailure;

    abstract List<String> stages();

    @Override
    public Integer call() {
        List<String> stages = stages();
        SparkSessions.Plan sparkPlan = sparkOptions.plan();
        ExperimentConfig c;
        ExperimentPlan plan;
        try {
            c = ExperimentConfigs.read(config);
            plan = ExperimentPlan.of(c, ExperimentConfigs.worldDir(c, config, world), out.toAbsolutePath(),
                    sparkPlan.threads(), dtypeOption.dtype());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return execute(c, plan, stages, sparkPlan, System.out);
    }

    int execute(ExperimentConfig c, ExperimentPlan plan, List<String> stages, SparkSessions.Plan sparkPlan,
            PrintStream o) {
        sparkPlan.warnings().forEach(w -> spec.commandLine().getErr().println("immunobench: warning: " + w));
        int trials = plan.searches().stream().mapToInt(x -> x.tasks().size()).sum();
        o.printf("run %s: %d checkpoints, %d attack tasks%s; stages %s; out %s%n", plan.runId(),
                plan.immunise().size(), plan.attacks().size(), trials == 0 ? "" : ", " + trials + " search trials",
                stages, out.toAbsolutePath());
        SparkSession spark = SparkSessions.open(sparkPlan, "immunobench " + spec.name());
        try {
            RunJob.Summary s = RunJob.run(spark, c, plan, new RunLayout(out.toAbsolutePath()), stages, force,
                    sparkPlan.placement(), o);
            for (RunJob.StageSummary st : s.stages()) {
                o.printf(java.util.Locale.ROOT, "%-11s %3d tasks: %3d done, %3d skipped, %3d failed, %6.1f s%n",
                        st.stage(), st.tasks(), st.ran() - st.failed(), st.skipped(), st.failed(), st.seconds());
            }
            if (s.failed() > 0) {
                o.printf("%d task(s) failed; see %s/failures (a rerun retries them)%n", s.failed(), out);
            }
            return s.failed() > 0 && failOnTaskFailure ? Cli.FAILURE : Cli.OK;
        } finally {
            spark.stop();
        }
    }
}
