package org.immunobench.jobs;

import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.landscape.LandscapeDirections;
import org.immunobench.jobs.landscape.LandscapeAxis;
import org.immunobench.jobs.landscape.LandscapeJob;
import org.immunobench.jobs.landscape.LandscapeSpec;
import org.immunobench.jobs.run.WorldContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code immunobench landscape}: loss and safety landscapes around a checkpoint ({@link LandscapeJob};
 * docs/methods.md, "Landscapes").
 */
@Command(name = "landscape", mixinStandardHelpOptions = true,
        description = {"Measures harm and NLL on a 1-D or 2-D grid in weight space around a checkpoint, one Spark"
            + " task per grid point: origin + a·d1 (+ b·d2). Writes OUT/landscape/NAME (Parquet), PNG charts"
            + " OUT/landscape/NAME-*.png and OUT/landscape/NAME.json. With --out a run directory the leaderboard"
            + " page finds the PNGs there.",
            "Axis SPEC: random (filter-normalised Gaussian direction, Li et al. 2018) | DIR or world:aligned |"
            + " world:base (that checkpoint − origin: coordinate 1 is the checkpoint) | attack:KIND[,key=value...]"
            + " (the origin fine-tuned by that toy-world attack, e.g. attack:harmful_sft,lr=1e-3,steps=32)."})
final class LandscapeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--world", required = true, paramLabel = "DIR",
            description = "Toy world: prompts, answers, tokenizer and judge.")
    private Path world;

    @Option(names = "--origin", paramLabel = "CKPT", defaultValue = "world:aligned",
            description = "The checkpoint at coordinate 0: a directory or world:aligned / world:base."
                    + " Default: ${DEFAULT-VALUE}.")
    private String origin;

    @Option(names = "--axis", required = true, paramLabel = "SPEC",
            description = "A direction; once for a 1-D slice, twice for a 2-D slice.")
    private List<String> axes = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory (a run directory, say); files go to OUT/landscape/.")
    private Path out;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of this landscape's files (default: landscape-1d or landscape-2d).")
    private String name;

    @Option(names = "--range", paramLabel = "LO:HI",
            description = "Coordinates of every axis (default: -0.5:1.5 for one axis, -1:1 for two).")
    private String range;

    @Option(names = "--points", paramLabel = "N",
            description = "Grid points per axis, ends included (default: 9 for one axis, 7 for two).")
    private Integer points;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of random directions and attack axes. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--judge", paramLabel = "NAME", defaultValue = "toyworld_oracle",
            description = "toyworld_oracle or keyword. Default: ${DEFAULT-VALUE}.")
    private String judge;

    @Option(names = "--harmful-prompts", paramLabel = "N", defaultValue = "48",
            description = "Harmful eval prompts judged per point. Default: ${DEFAULT-VALUE}.")
    private int harmfulPrompts;

    @Option(names = "--nll-rows", paramLabel = "N", defaultValue = "64",
            description = "Held-out harmful answers behind the harmful NLL. Default: ${DEFAULT-VALUE}.")
    private int nllRows;

    @Option(names = "--benign-rows", paramLabel = "N", defaultValue = "64",
            description = "Benign eval texts behind the general NLL. Default: ${DEFAULT-VALUE}.")
    private int benignRows;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "48",
            description = "Completion length. Default: ${DEFAULT-VALUE}.")
    private int maxNewTokens;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Prompts per generation batch. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--overwrite", description = "Replace an earlier landscape of the same name.")
    private boolean overwrite;

    @Override
    public Integer call() {
        SparkSessions.Plan sparkPlan = sparkOptions.plan();
        LandscapeSpec s;
        try {
            s = spec(sparkPlan.threads());
            LandscapeJob.checkTarget(out.toAbsolutePath(), s.name(), overwrite);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        sparkPlan.warnings().forEach(w -> spec.commandLine().getErr().println("immunobench: warning: " + w));
        SparkSession spark = SparkSessions.open(sparkPlan, "immunobench landscape");
        try {
            LandscapeJob.run(spark, s, out.toAbsolutePath(), sparkPlan.gpu(), System.out);
            return Cli.OK;
        } finally {
            spark.stop();
        }
    }

    LandscapeSpec spec(int threads) {
        if (axes.isEmpty() || axes.size() > 2) {
            throw new IllegalArgumentException("--axis: give it once (a 1-D slice) or twice (a 2-D slice), got "
                    + axes.size());
        }
        Path worldDir = world.toAbsolutePath().normalize();
        WorldContext.load(worldDir); // a missing or stale world fails here, before Spark starts
        String n = name != null ? name : axes.size() == 1 ? "landscape-1d" : "landscape-2d";
        Path originDir = LandscapeAxis.checkpoint(origin, worldDir, "--origin");
        List<LandscapeAxis> parsed = new ArrayList<>();
        for (int i = 0; i < axes.size(); i++) {
            parsed.add(LandscapeAxis.parse(axes.get(i), worldDir, seed, i + 1,
                    out.toAbsolutePath().resolve(LandscapeJob.DIR).resolve(n + "-axis" + (i + 1))));
        }
        String r = range != null ? range : axes.size() == 1 ? "-0.5:1.5" : "-1:1";
        int p = points != null ? points : axes.size() == 1 ? 9 : 7;
        String[] ends = r.split(":");
        double lo;
        double hi;
        try {
            if (ends.length != 2) {
                throw new NumberFormatException();
            }
            lo = Double.parseDouble(ends[0]);
            hi = Double.parseDouble(ends[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--range " + r + ": expected LO:HI, e.g. -1:1");
        }
        double[] values;
        try {
            values = LandscapeDirections.grid(lo, hi, p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--range " + r + " --points " + p + ": " + e.getMessage(), e);
        }
        return new LandscapeSpec(n, worldDir.toString(), origin, originDir.toString(), parsed,
                Arrays.stream(values).boxed().toList(), judge, harmfulPrompts, nllRows, benignRows, maxNewTokens,
                batchSize, threads);
    }
}
