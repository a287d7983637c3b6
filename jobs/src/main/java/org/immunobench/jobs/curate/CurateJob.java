package org.immunobench.jobs.curate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.curate.BucketStage;
import org.immunobench.curation.curate.CurateConfig;
import org.immunobench.curation.curate.DedupStage;
import org.immunobench.curation.curate.PolicyStage;
import org.immunobench.curation.curate.ReadStage;
import org.immunobench.curation.curate.SourceConfig;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.GroupPercentiles;
import org.immunobench.curation.perplexity.PerplexityBuckets;
import org.immunobench.curation.report.CurateReport;
import org.immunobench.curation.report.HistogramPng;
import org.immunobench.curation.report.PplHistogram;
import org.immunobench.curation.report.PplHistograms;
import org.immunobench.curation.report.StageReport;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.DeviceChoice;
import org.immunobench.jobs.score.ScoreJob;
import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.udf;

/**
 * The {@code curate} job: sources in, a curated corpus out, every source row accounted for. Wiring only; the stages
 * are the {@code curation} module's:
 * <ol>
 *   <li>read + validate ({@link ReadStage}: adapters, quarantine);</li>
 *   <li>normalise + ids (per row, inside stage 1's validator; reported as its own stage);</li>
 *   <li>decontamination, then exact and near duplicates ({@link DedupStage}, which explains the order);</li>
 *   <li>perplexity under the reference model on the executors ({@link CorpusScorer});</li>
 *   <li>buckets per (source, domain) ({@link PerplexityBuckets}) and the policies ({@link PolicyStage});</li>
 *   <li>outputs: {@code corpus/} (Parquet, partitioned by split), {@code quarantine/}, {@code dropped/},
 *       {@code contamination/}, {@code ppl_<source>.png}, {@code report.md}, {@code report.json} and the
 *       resolved {@code curate.yaml}.</li>
 * </ol>
 * The final accounting is counted from the written files; when rows in ≠ kept + quarantined + dropped for any
 * source the job writes its report (marked BROKEN) and then fails naming the source.
 */
public final class CurateJob {
    private static final Logger LOG = LoggerFactory.getLogger(CurateJob.class);
    public static final String CORPUS = "corpus";
    public static final String QUARANTINE = "quarantine";
    public static final String DROPPED = "dropped";
    public static final String CONTAMINATION = "contamination";
    public static final String REPORT_MD = "report.md";
    public static final String REPORT_JSON = "report.json";
    public static final String CONFIG = "curate.yaml";
    public static final String NORMALISE = "normalise";
    public static final String PERPLEXITY = PerplexityStage.NAME;
    public static final String BUCKETS = BucketStage.NAME;

    /**
     * @param runtime threads and device of the reference model (batching comes from the config)
     * @param progress receives one block of text per finished stage
     */
    public record Settings(RuntimeOptions runtime, DeviceChoice device, boolean overwrite, Consumer<String> progress) {
        /** {@code gpuRequested}: {@code --device gpu}, else {@code cpu}. */
        public Settings(RuntimeOptions runtime, boolean gpuRequested, boolean overwrite, Consumer<String> progress) {
            this(runtime, gpuRequested ? DeviceChoice.gpu : DeviceChoice.cpu, overwrite, progress);
        }

        public Settings {
            device = device == null ? DeviceChoice.cpu : device;
            if (runtime == null) {
                throw new IllegalArgumentException("runtime options must be set");
            }
            progress = progress == null ? s -> { } : progress;
        }
    }

    private CurateJob() {
    }

    public static CurateReport run(SparkSession spark, CurateConfig config, Settings settings) {
        long t0 = System.nanoTime();
        if (config.hasReferenceModel()) {
            ScoreJob.checkModelDir(config.referenceModel());
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(config.out());
        prepareOutput(hadoop, out, settings.overwrite());
        writeText(hadoop, new Path(out, CONFIG), yaml(ConfigBinder.toMap(config)));

        List<String> sources = config.sources().stream().map(SourceConfig::name).toList();
        List<StageReport> stages = new ArrayList<>();

        long t = System.nanoTime();
        ReadStage.Result read = ReadStage.run(spark, config.sources(), config.limits());
        stages.add(done(settings, new StageReport("read + validate: adapters parse each row; malformed rows,"
                + " wrong types, missing fields, empty text, invalid UTF-8 and rows over validation.max_row_chars"
                + " go to the quarantine", read.counts(), seconds(t), List.of())));
        Map<String, Long> rowsIn = new TreeMap<>();
        read.counts().sources().forEach(c -> rowsIn.put(c.source(), c.rowsIn()));
        Map<String, Long> afterRead = StageTally.keptOf(read.counts());

        stages.add(done(settings, new StageReport("normalise + ids: Unicode NFKC, control characters, whitespace;"
                + " id = content hash of the normalised prompt and response",
                StageTally.counts(NORMALISE, sources, afterRead, afterRead, Map.of(), Map.of()), 0,
                List.of("done per row inside stage 1 (a row empty after normalisation is a validation failure);"
                        + " its time is stage 1's"))));

        DedupStage.Result dedup = DedupStage.run(read.kept(), sources, afterRead, config.dedup(),
                config.decontamination());
        dedup.stages().forEach(s -> done(settings, s));
        stages.addAll(dedup.stages());
        Map<String, Long> afterDedup = StageTally.keptOf(dedup.stages().get(dedup.stages().size() - 1).counts());

        Dataset<Row> rows = dedup.kept();
        List<GroupPercentiles> groups = null;
        Dataset<Row> bucketed = null;
        CurateReport.PerplexitySummary ppl;
        if (config.hasReferenceModel()) {
            PerplexityStage.Result sc = PerplexityStage.run(spark, rows, sources, afterDedup, config.referenceModel(),
                    config.perplexity(), settings);
            stages.add(done(settings, sc.report()));
            BucketStage.Result b = BucketStage.run(sc.rows(), sources, afterDedup, config.buckets(),
                    config.policies());
            stages.add(done(settings, b.report()));
            groups = b.groups();
            bucketed = b.rows();
            rows = bucketed;
            ppl = new CurateReport.PerplexitySummary(true, "Scored with " + config.referenceModel() + ".",
                    config.referenceModel(), sc.scored(), sc.unscorable(), sc.tokens(), sc.seconds(),
                    sc.tokensPerSecond(), sc.forwardTokensPerSecond(), groups, b.bucketCounts());
        } else {
            String why = "no reference_model: perplexity (stage 5) and buckets (stage 6) skipped; ppl, n_tokens and"
                    + " ppl_bucket stay null";
            stages.add(done(settings, StageReport.skipped(PERPLEXITY, why)));
            stages.add(done(settings, StageReport.skipped(BUCKETS, why)));
            ppl = CurateReport.PerplexitySummary.skipped(why + ".");
        }

        PolicyStage.Result policies = PolicyStage.run(rows, sources, afterDedup, config.policies(), groups,
                config.buckets(), config.seed());
        stages.add(done(settings, policies.report()));

        t = System.nanoTime();
        SaveMode mode = SaveMode.ErrorIfExists;
        policies.kept().select(corpusColumns()).write().mode(mode).partitionBy("split")
                .parquet(new Path(out, CORPUS).toString());
        read.quarantine().write().mode(mode).parquet(new Path(out, QUARANTINE).toString());
        read.dropped().unionByName(dedup.dropped()).unionByName(policies.dropped()).write().mode(mode)
                .parquet(new Path(out, DROPPED).toString());
        dedup.contamination().write().mode(mode).parquet(new Path(out, CONTAMINATION).toString());
        double writeSeconds = seconds(t);
        LOG.info("wrote outputs in {} s", String.format("%.1f", writeSeconds));

        List<String> files = new ArrayList<>(List.of(CORPUS + "/", QUARANTINE + "/", DROPPED + "/",
                CONTAMINATION + "/", CONFIG, REPORT_MD, REPORT_JSON));
        List<String> plotNotes = new ArrayList<>();
        if (bucketed != null) {
            for (PplHistogram h : PplHistograms.of(bucketed, config.buckets(), groups, PplHistograms.DEFAULT_BINS)) {
                String name = "ppl_" + h.source() + ".png";
                try (OutputStream os = create(hadoop, new Path(out, name))) {
                    HistogramPng.write(h, BucketScheme.SMALL_GROUP, os);
                    files.add(name);
                } catch (IOException | RuntimeException | LinkageError | InternalError e) {
                    // A driver without fonts must not cost the corpus: the plot is the only thing lost.
                    plotNotes.add("could not draw " + name + ": " + e);
                    LOG.warn("could not draw {}", name, e);
                }
            }
        }

        CurateReport report = report(spark, config, settings, out, stages, rowsIn, ppl, files, plotNotes, writeSeconds,
                t0);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            writeText(hadoop, new Path(out, REPORT_JSON), json.writeValueAsString(report.toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + REPORT_JSON, e);
        }
        writeText(hadoop, new Path(out, REPORT_MD), report.toMarkdown());
        if (!report.holds()) {
            List<String> broken = new ArrayList<>();
            report.accounting().stream().filter(a -> !a.holds()).forEach(a -> broken.add(a.source() + ": rows in "
                    + a.rowsIn() + " != kept " + a.kept() + " + quarantined " + a.quarantined() + " + dropped "
                    + a.droppedTotal()));
            throw new IllegalStateException("row accounting broken in the written outputs of " + out + ": "
                    + String.join("; ", broken) + " (see " + REPORT_MD + ")");
        }
        return report;
    }

    /** The final accounting, counted from the files just written, and the rest of the report. */
    private static CurateReport report(SparkSession spark, CurateConfig config, Settings settings, Path out,
            List<StageReport> stages, Map<String, Long> rowsIn, CurateReport.PerplexitySummary ppl,
            List<String> files, List<String> plotNotes, double writeSeconds, long t0) {
        Dataset<Row> corpus = spark.read().schema(CorpusSchema.CORPUS).parquet(new Path(out, CORPUS).toString());
        Dataset<Row> quarantine = spark.read().schema(CorpusSchema.QUARANTINE)
                .parquet(new Path(out, QUARANTINE).toString());
        Dataset<Row> dropped = spark.read().schema(DroppedRows.SCHEMA).parquet(new Path(out, DROPPED).toString());
        Map<String, Long> kept = StageTally.bySource(corpus);
        Map<String, Long> quarantined = StageTally.bySource(quarantine);
        Map<String, Map<String, Long>> droppedBy = StageTally.droppedBySource(dropped);
        List<CurateReport.Accounting> accounting = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>(rowsIn.keySet());
        seen.addAll(kept.keySet());
        seen.addAll(quarantined.keySet());
        seen.addAll(droppedBy.keySet());
        List<String> order = new ArrayList<>(config.sources().stream().map(SourceConfig::name).toList());
        seen.stream().filter(s -> !order.contains(s)).forEach(order::add);
        for (String s : order) {
            accounting.add(new CurateReport.Accounting(s, rowsIn.getOrDefault(s, 0L), kept.getOrDefault(s, 0L),
                    quarantined.getOrDefault(s, 0L), droppedBy.getOrDefault(s, Map.of())));
        }

        UserDefinedFunction pattern = udf((UDF1<String, String>) CurateReport::reasonPattern, DataTypes.StringType);
        Map<String, Map<String, Long>> reasons = new LinkedHashMap<>();
        for (Row r : quarantine.groupBy(col("source"), pattern.apply(col("reason")).as("pattern")).count()
                .withColumn("rank", row_number().over(org.apache.spark.sql.expressions.Window.partitionBy("source")
                        .orderBy(col("count").desc(), col("pattern"))))
                .filter(col("rank").leq(10)).orderBy("source", "rank").collectAsList()) {
            reasons.computeIfAbsent(r.getString(0), k -> new LinkedHashMap<>()).put(r.getString(1), r.getLong(2));
        }

        Dataset<Row> contamination = spark.read().parquet(new Path(out, CONTAMINATION).toString());
        long leaks = contamination.count();
        List<Map<String, Object>> sample = new ArrayList<>();
        for (Row r : contamination.orderBy("source", "source_row").limit(CurateReport.SAMPLE_ROWS).collectAsList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String c : r.schema().fieldNames()) {
                m.put(c, r.get(r.fieldIndex(c)));
            }
            sample.add(m);
        }

        List<StageReport> all = new ArrayList<>(stages);
        if (!plotNotes.isEmpty()) {
            all.add(new StageReport("plots", null, 0, plotNotes));
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("code_version", CodeVersion.describe());
        run.put("created_at", Instant.now().toString());
        run.put("master", spark.sparkContext().master());
        run.put("out", out.toString());
        run.put("reference_model", config.referenceModel() == null ? "none" : config.referenceModel());
        run.put("device", settings.device().name());
        run.put("threads", settings.runtime().intraOpThreads());
        run.put("write_seconds", Math.round(writeSeconds * 10) / 10.0);
        run.put("seconds", Math.round(seconds(t0) * 10) / 10.0);
        return new CurateReport(run, ConfigBinder.toMap(config), all, accounting, reasons, leaks, sample, ppl, files);
    }

    private static StageReport done(Settings settings, StageReport s) {
        StringBuilder b = new StringBuilder();
        if (s.skipped()) {
            b.append(s.stage()).append(": skipped\n");
        } else {
            b.append(String.format(Locale.ROOT, "%s (%.1f s)%n", s.stage(), s.seconds()));
            for (org.immunobench.curation.accounting.SourceCounts c : s.counts().sources()) {
                b.append("  ").append(c.summary()).append('\n');
            }
            b.append("  ").append(s.counts().total().summary()).append('\n');
        }
        s.notes().forEach(n -> b.append("  - ").append(n).append('\n'));
        settings.progress().accept(b.toString());
        LOG.info("stage {} {}", s.stage(), s.skipped() ? "skipped" : String.format(Locale.ROOT, "done in %.1f s",
                s.seconds()));
        return s;
    }

    static Column[] corpusColumns() {
        return Arrays.stream(CorpusSchema.CORPUS.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The outputs this job writes, plus any earlier run's plots. */
    private static void prepareOutput(Configuration hadoop, Path out, boolean overwrite) {
        try {
            FileSystem fs = out.getFileSystem(hadoop);
            if (!fs.exists(out)) {
                return;
            }
            if (!fs.getFileStatus(out).isDirectory()) {
                throw new IllegalArgumentException("out " + out + " is a file, not a directory");
            }
            List<Path> ours = new ArrayList<>();
            for (String name : List.of(CORPUS, QUARANTINE, DROPPED, CONTAMINATION, REPORT_MD, REPORT_JSON, CONFIG)) {
                Path p = new Path(out, name);
                if (fs.exists(p)) {
                    ours.add(p);
                }
            }
            FileStatus[] plots = fs.globStatus(new Path(out, "ppl_*.png"));
            if (plots != null) {
                Arrays.stream(plots).forEach(s -> ours.add(s.getPath()));
            }
            if (ours.isEmpty()) {
                return;
            }
            if (!overwrite) {
                throw new IllegalArgumentException("out " + out + " already holds curate outputs (" + ours.get(0)
                        .getName() + ", ...); pass --overwrite to replace them");
            }
            for (Path p : ours) {
                fs.delete(p, true); // never leave an earlier run's files beside this run's
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + out, e);
        }
    }

    private static OutputStream create(Configuration hadoop, Path p) throws IOException {
        return p.getFileSystem(hadoop).create(p, true);
    }

    private static void writeText(Configuration hadoop, Path p, String text) {
        try (OutputStream os = create(hadoop, p)) {
            os.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }

    static String yaml(Map<String, Object> map) {
        try {
            return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS))
                    .writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config as YAML", e);
        }
    }
}
