package org.immunobench.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.leaderboard.LeaderboardConfig;
import org.immunobench.evaluation.leaderboard.Provenance;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.jobs.run.ExperimentConfig;
import org.immunobench.jobs.run.ExperimentConfigs;
import org.immunobench.jobs.run.Leaderboards;
import org.immunobench.jobs.run.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code immunobench leaderboard}: pillars and leaderboard from a metrics table alone (e.g. one concatenated from
 * several runs), with the pillar and leaderboard settings of an experiment config or the defaults.
 */
@Command(name = "leaderboard", mixinStandardHelpOptions = true,
        description = {"Computes the four pillars from a metrics table (Parquet, e.g. RUN/metrics) and writes"
            + " OUT/pillars, OUT/rate_intervals and OUT/leaderboard.{md,csv,html}; with fine-tuning-stage rows (Lisa,"
            + " Security Vectors) also OUT/leaderboard-finetuning.{md,csv,html}. Intervals are bootstrapped over the"
            + " stored verdicts of the generations table when there is one."})
final class LeaderboardCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--metrics", required = true, paramLabel = "DIR", description = "Metrics table (Parquet).")
    private Path metrics;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    private Path out;

    @Option(names = "--generations", paramLabel = "DIR",
            description = {"Generations table (Parquet, e.g. RUN/generations) whose stored verdicts the bootstrap"
                + " intervals resample and whose completions the drill-down shows (default: a 'generations'"
                + " directory next to --metrics, if there is one; without it, intervals are over seeds only)."})
    private Path generations;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Experiment YAML whose pillars: and leaderboard: sections apply (default: defaults).")
    private Path config;

    @Override
    public Integer call() {
        if (!Files.isDirectory(metrics)) {
            throw new ParameterException(spec.commandLine(), "--metrics " + metrics + " is not a directory");
        }
        Path verdicts = generations;
        if (verdicts != null && !Files.isDirectory(verdicts)) {
            throw new ParameterException(spec.commandLine(), "--generations " + verdicts + " is not a directory");
        }
        if (verdicts == null) {
            Path sibling = metrics.toAbsolutePath().normalize().resolveSibling("generations");
            verdicts = Files.isDirectory(sibling) ? sibling : null;
        }
        PillarsConfig pillars = new PillarsConfig(null, null);
        LeaderboardConfig board = new LeaderboardConfig(null, null, null);
        String judge = "";
        Path world = null;
        if (config != null) {
            try {
                ExperimentConfig c = ExperimentConfigs.read(config);
                pillars = c.pillars();
                board = c.leaderboard();
                judge = c.evaluation().judge();
                world = c.world() == null ? null : ExperimentConfigs.worldDir(c, config, null);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
        SparkSession spark = SparkSessions.open(sparkOptions.plan(), "immunobench leaderboard");
        try {
            List<MetricRow> rows = RecordSchema.of(MetricRow.class).fromRows(
                    spark.read().parquet(metrics.toString()).collectAsList());
            TreeSet<Long> seeds = new TreeSet<>();
            TreeSet<String> runs = new TreeSet<>();
            rows.forEach(r -> {
                seeds.add(r.seed());
                runs.add(r.runId());
            });
            Provenance p = new Provenance(String.join(",", runs), config == null ? "defaults" : config.toString(),
                    List.copyOf(seeds), judge, CodeVersion.describe(), Instant.now().toString(), Map.of());
            if (world == null) {
                world = runWorld(metrics);
            }
            Leaderboards.write(spark, rows, pillars, board, p, out.resolve("pillars"), out, verdicts,
                    world == null ? null : Leaderboards.heldBackTask(world), System.out, Leaderboards.Searches.NONE);
            return Cli.OK;
        } finally {
            spark.stop();
        }
    }

    /** The world of the run whose metrics these are, from the run.yaml next to them; null when there is none. */
    private static Path runWorld(Path metrics) {
        Path runYaml = metrics.toAbsolutePath().normalize().resolveSibling(RunLayout.RUN_YAML);
        if (!Files.isRegularFile(runYaml)) {
            return null;
        }
        try {
            Object world = new ObjectMapper(new YAMLFactory()).readValue(runYaml.toFile(), Map.class).get("world");
            return world == null ? null : Path.of(world.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + runYaml, e);
        }
    }
}
