package org.immunobench.jobs.landscape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.landscape.LandscapeCharts;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.DeviceChoice;
import org.immunobench.jobs.TaskDevices;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code immunobench landscape}: a 1-D or 2-D slice of weight space around a checkpoint, each grid point one Spark
 * task that builds the weights origin + a·d1 (+ b·d2) and measures harm, refusal, fluency, harmful NLL and
 * general-text NLL on the toy world (docs/methods.md, "Landscapes"). Attack axes are trained first (one Spark task
 * each). Writes under {@code LANDSCAPE_DIR = OUT/landscape}:
 * <pre>
 *   NAME/                    Parquet table, one {@link LandscapeRow} per grid point, sorted by (b, a)
 *   NAME-rates.png, NAME-nll.png                                   a 1-D slice: lines against α
 *   NAME-harmful_rate.png, NAME-harmful_nll.png, NAME-general_nll.png   a 2-D slice: heatmaps
 *   NAME.json                the spec, the files and the wall time of each stage
 *   NAME-axis<k>/            the model an attack axis trained (HF checkpoint)
 * </pre>
 * A failing grid point fails the job (a landscape with holes would be drawn as if measured).
 */
public final class LandscapeJob {
    public static final String DIR = "landscape";
    public static final RecordSchema<LandscapeRow> ROWS = RecordSchema.of(LandscapeRow.class);

    private LandscapeJob() {
    }

    /** What was written and how long it took. */
    public record Result(Path table, List<Path> pngs, Path summary, int points, double trainSeconds,
            double gridSeconds, double totalSeconds) {
    }

    /** Where a landscape named {@code name} writes its table under {@code out}. */
    public static Path table(Path out, String name) {
        return out.resolve(DIR).resolve(name);
    }

    /** Refuses to overwrite an earlier landscape of the same name unless asked. */
    public static void checkTarget(Path out, String name, boolean overwrite) {
        Path dir = out.resolve(DIR);
        if (!overwrite && (Files.exists(table(out, name)) || Files.exists(dir.resolve(name + ".json")))) {
            throw new IllegalArgumentException("landscape '" + name + "' exists under " + dir
                    + "; pass --overwrite or another --name");
        }
    }

    public static Result run(SparkSession spark, LandscapeSpec spec, Path out, boolean gpu, PrintStream log) {
        long t0 = System.nanoTime();
        Path dir = out.resolve(DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

        List<LandscapeAxis> toTrain = spec.axes().stream().filter(a -> a.kind().equals(LandscapeAxis.ATTACK)).toList();
        if (!toTrain.isEmpty()) {
            jsc.setJobDescription("landscape " + spec.name() + ": train " + toTrain.size() + " attack axis(es)");
            List<String> trained = jsc.parallelize(toTrain, toTrain.size())
                    .map(axis -> LandscapeTask.trainAxis(spec, axis, TaskDevices.current(gpu ? DeviceChoice.gpu : DeviceChoice.cpu).device().toDevice())).collect();
            trained.forEach(line -> log.println("landscape " + spec.name() + ": trained " + line));
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        long g0 = System.nanoTime();
        List<double[]> points = spec.points();
        jsc.setJobDescription("landscape " + spec.name() + ": " + points.size() + " grid points");
        List<LandscapeRow> rows = new ArrayList<>(jsc.parallelize(points, points.size())
                .map(p -> LandscapeTask.measure(spec, p[0], p[1], TaskDevices.current(gpu ? DeviceChoice.gpu : DeviceChoice.cpu).device().toDevice())).collect());
        double gridSeconds = (System.nanoTime() - g0) / 1e9;
        rows.sort(Comparator.comparingDouble(LandscapeRow::b).thenComparingDouble(LandscapeRow::a));
        for (LandscapeRow r : rows) {
            log.println(String.format(Locale.ROOT, "landscape %s: (%+.3f, %+.3f) harmful %.3f refusal %.3f"
                    + " harmful_nll %.3f general_nll %.3f (%.1f s)", spec.name(), r.a(), r.b(), r.harmfulRate(),
                    r.refusalRate(), r.harmfulNll(), r.generalNll(), r.seconds()));
        }

        Path table = table(out, spec.name());
        spark.createDataFrame(ROWS.toRows(rows), ROWS.schema()).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(table.toString());
        List<Path> pngs = charts(spec, rows, dir);
        double total = (System.nanoTime() - t0) / 1e9;
        Path summary = dir.resolve(spec.name() + ".json");
        writeSummary(summary, spec, table, pngs, rows.size(), trainSeconds, gridSeconds, total);
        log.println(String.format(Locale.ROOT, "landscape %s: %d points in %.1f s (attack axes %.1f s, grid %.1f s);"
                + " table %s", spec.name(), rows.size(), total, trainSeconds, gridSeconds, table));
        return new Result(table, pngs, summary, rows.size(), trainSeconds, gridSeconds, total);
    }

    private static List<Path> charts(LandscapeSpec spec, List<LandscapeRow> rows, Path dir) {
        List<Path> out = new ArrayList<>();
        double[] values = spec.values().stream().mapToDouble(Double::doubleValue).toArray();
        List<LandscapeAxis> axes = spec.axes();
        String origin = originLabel(spec);
        String judge = rows.isEmpty() ? spec.judge() : rows.get(0).judge();
        if (axes.size() == 1) {
            LandscapeAxis axis = axes.get(0);
            Map<Double, String> marks = new LinkedHashMap<>();
            marks.put(0.0, origin);
            if (axis.endsAtModel()) {
                marks.put(1.0, axis.label());
            }
            String x = axis.endsAtModel() ? "α (0 = " + origin + ", 1 = " + axis.label() + ")"
                    : "α along a filter-normalised random direction";
            String about = spec.name() + ": " + origin + " → " + axis.spec();
            Map<String, double[]> rates = new LinkedHashMap<>();
            rates.put("harmful rate", column(rows, LandscapeRow::harmfulRate));
            rates.put("refusal rate", column(rows, LandscapeRow::refusalRate));
            rates.put("fluent rate", column(rows, LandscapeRow::fluentRate));
            out.add(write(dir.resolve(spec.name() + "-rates.png"), LandscapeCharts.line("Rates (judge " + judge + ")", about,
                    x, "rate", values, rates, new double[]{0, 1.02}, marks)));
            Map<String, double[]> nll = new LinkedHashMap<>();
            nll.put("harmful NLL (held-out harmful answers)", column(rows, LandscapeRow::harmfulNll));
            nll.put("general NLL (benign eval answers)", column(rows, LandscapeRow::generalNll));
            out.add(write(dir.resolve(spec.name() + "-nll.png"), LandscapeCharts.line("NLL", about, x,
                    "nats per token", values, nll, null, marks)));
            return out;
        }
        String a = "a along " + axes.get(0).label();
        String b = "b along " + axes.get(1).label();
        String about = spec.name() + ": " + origin + "; a: " + axes.get(0).spec() + "; b: " + axes.get(1).spec();
        LandscapeCharts.Mark[] marks = LandscapeCharts.marks(origin,
                axes.get(0).endsAtModel() ? axes.get(0).label() : null,
                axes.get(1).endsAtModel() ? axes.get(1).label() : null);
        out.add(write(dir.resolve(spec.name() + "-harmful_rate.png"), LandscapeCharts.heatmap("Harmful rate (judge "
                + judge + ")", about, a, b, "harmful rate", values, values,
                column(rows, LandscapeRow::harmfulRate), 0, 1, marks)));
        out.add(write(dir.resolve(spec.name() + "-harmful_nll.png"), LandscapeCharts.heatmap("Harmful NLL",
                about, a, b, "nats per token", values, values, column(rows, LandscapeRow::harmfulNll),
                Double.NaN, Double.NaN, marks)));
        out.add(write(dir.resolve(spec.name() + "-general_nll.png"), LandscapeCharts.heatmap("General-text NLL",
                about, a, b, "nats per token", values, values, column(rows, LandscapeRow::generalNll),
                Double.NaN, Double.NaN, marks)));
        return out;
    }

    private static String originLabel(LandscapeSpec spec) {
        return spec.originRef().startsWith("world:") ? spec.originRef().substring("world:".length())
                : Path.of(spec.originDir()).getFileName().toString();
    }

    private static double[] column(List<LandscapeRow> rows, java.util.function.ToDoubleFunction<LandscapeRow> f) {
        return rows.stream().mapToDouble(f).toArray();
    }

    private static Path write(Path file, byte[] png) {
        writeAtomically(file, png);
        return file;
    }

    /** Written aside and renamed, so a reader (the leaderboard page) never sees half a file. */
    private static void writeAtomically(Path file, byte[] bytes) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void writeSummary(Path file, LandscapeSpec spec, Path table, List<Path> pngs, int points,
            double trainSeconds, double gridSeconds, double total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", spec.name());
        m.put("origin", spec.originRef());
        m.put("origin_dir", spec.originDir());
        List<Map<String, Object>> axes = new ArrayList<>();
        for (LandscapeAxis a : spec.axes()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("spec", a.spec());
            one.put("kind", a.kind());
            one.put("checkpoint", a.checkpointDir());
            one.put("seed", a.seed());
            one.put("normalisation", a.kind().equals(LandscapeAxis.RANDOM) ? "filter" : "none (checkpoint − origin)");
            axes.add(one);
        }
        m.put("axes", axes);
        m.put("values", spec.values());
        m.put("points", points);
        m.put("judge", spec.judge());
        m.put("harmful_prompts", spec.harmfulPrompts());
        m.put("nll_rows", spec.nllRows());
        m.put("benign_rows", spec.benignRows());
        m.put("max_new_tokens", spec.maxNewTokens());
        m.put("world", spec.worldDir());
        m.put("table", table.toString());
        m.put("pngs", pngs.stream().map(Path::toString).toList());
        m.put("seconds", Map.of("attack_axes", trainSeconds, "grid", gridSeconds, "total", total));
        m.put("code_version", CodeVersion.describe());
        m.put("finished_at", Instant.now().toString());
        try {
            writeAtomically(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
