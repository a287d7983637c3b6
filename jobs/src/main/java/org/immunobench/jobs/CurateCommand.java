package org.immunobench.jobs;

import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.curate.CurateConfig;
import org.immunobench.curation.curate.SourceConfig;
import org.immunobench.curation.report.CurateReport;
import org.immunobench.jobs.curate.CurateJob;
import org.immunobench.lm.runtime.RuntimeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code immunobench curate}: see {@link CurateJob}; config keys in {@link CurateConfig}. */
@Command(name = "curate", mixinStandardHelpOptions = true,
        description = {"Curate datasets into the corpus: read + validate (quarantine), normalise + ids,"
            + " decontamination against eval splits, exact and MinHash near-duplicate removal, perplexity under a"
            + " reference model, percentile buckets per (source, domain) and curation policies.",
            "Writes OUT/corpus (Parquet, partitioned by split), OUT/quarantine, OUT/dropped, OUT/contamination,"
                + " OUT/report.md, OUT/report.json, OUT/ppl_<source>.png and the resolved OUT/curate.yaml; every"
                + " source row ends up kept, quarantined or dropped with a reason.",
            "Flags override the config file. Default splits: beavertails=attack, advbench/harmbench/hexphi=eval,"
                + " alpaca/dolly/sst2=benign_train; jsonl/csv/parquet need @SPLIT (and read columns prompt,"
                + " response, domain, kind unless the file maps them); corpus keeps each row's split."})
public final class CurateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config (keys: see conf/curate-*.yaml).")
    private Path configFile;

    @Option(names = "--source", paramLabel = "NAME=FORMAT:PATH[@SPLIT]",
            description = {"Input, repeatable. FORMAT: beavertails, advbench, harmbench, hexphi, alpaca, dolly, sst2,"
                + " jsonl, csv, parquet, or corpus (Parquet in the corpus schema, e.g. a toy world's corpus/).",
                "A NAME already in --config replaces that source's format and path; its split (unless @SPLIT is"
                    + " given) and mapping stay."})
    private List<String> sources = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (config key out).")
    private String out;

    @Option(names = "--reference-model", paramLabel = "DIR",
            description = "HF checkpoint directory for perplexity (config key reference_model); without one,"
                    + " perplexity, buckets and percentile policies are skipped.")
    private String referenceModel;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of balance_domains sampling (config key seed).")
    private Long seed;

    @Option(names = "--overwrite", description = "Replace the outputs of an earlier run in --out.")
    private boolean overwrite;

    @Override
    public Integer call() {
        CurateConfig config;
        try {
            config = CurateConfig.resolve(configFile == null ? Map.of() : ConfigFiles.readMap(configFile, "keys"),
                    new CurateConfig.Overrides(sources, out, referenceModel, seed));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid config"
                    + (configFile != null ? " (" + configFile + " and flags)" : "") + ": " + e.getMessage(), e);
        }
        SparkSessions.Plan plan = sparkOptions.plan();
        PrintWriter err = spec.commandLine().getErr();
        plan.warnings().forEach(w -> err.println("immunobench curate: warning: " + w));
        if (!config.hasReferenceModel()) {
            config.policies().stream().filter(p -> p.needsPerplexity()).forEach(p -> err.println(
                    "immunobench curate: warning: policy " + p.id() + " needs a reference model; it will be skipped"));
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println("curate: " + config.sources().size() + " source(s): " + String.join(", ",
                config.sources().stream().map(SourceConfig::toString).toList()));
        o.flush();
        RuntimeOptions runtime = RuntimeOptions.cpu().withThreads(plan.threads());
        SparkSession spark = SparkSessions.open(plan, "immunobench curate");
        try {
            CurateReport report = CurateJob.run(spark, config,
                    new CurateJob.Settings(runtime, plan.device(), overwrite, s -> {
                        o.print(s);
                        o.flush();
                    }));
            CurateReport.Accounting total = report.total();
            o.printf("rows in %d = kept %d + quarantined %d + dropped %d: holds for every source%n", total.rowsIn(),
                    total.kept(), total.quarantined(), total.droppedTotal());
            o.printf("wrote %s/{%s}%n", config.out(), String.join(",", report.files()));
            return Cli.OK;
        } finally {
            spark.stop();
        }
    }
}
