package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.evaluation.stats.StepCurves;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * Writes a leaderboard to a directory: leaderboard.md, leaderboard.csv, leaderboard.html (self-contained, every
 * chart inside) and the two main charts as PNG files next to it (harm_vs_steps.png, pillars.png). The
 * fine-tuning-stage table goes to the same names with {@value #FINETUNING_SUFFIX} before the extension
 * (leaderboard-finetuning.md …), so the open-weight files stay exactly what they were and no reader of them can mix
 * the two threat models. Landscape heatmaps found as {@value #LANDSCAPE_DIR}/*.png in the output directory (written
 * by the landscape job) are embedded in the page.
 */
public final class LeaderboardWriter {
    public static final String MARKDOWN = "leaderboard.md";
    public static final String CSV = "leaderboard.csv";
    public static final String HTML = "leaderboard.html";
    public static final String HARM_CHART = "harm_vs_steps.png";
    public static final String PILLAR_CHART = "pillars.png";
    /** Written only when a hyper-parameter search ran for the table's attack family. */
    public static final String BEST_SO_FAR_CHART = "best_so_far.png";
    public static final String FINETUNING_SUFFIX = "-finetuning";
    /** Where the page looks for landscape heatmaps (PNG files), relative to the output directory. */
    public static final String LANDSCAPE_DIR = "landscape";

    private LeaderboardWriter() {
    }

    /**
     * The page from the metric rows alone: curves without bands, no stored generations.
     *
     * @param metrics the run's metric rows ({@link org.immunobench.evaluation.results.MetricRow} schema), for the
     *     curves the pillars have summarised away
     */
    public static void write(LeaderboardTable table, Dataset<Row> metrics, Provenance provenance, Path outDir)
            throws IOException {
        write(table, PageData.of(HarmCurves.rows(metrics)), provenance, outDir, SearchCurves.NONE);
    }

    /** The page with its data, without search curves. */
    public static void write(LeaderboardTable table, PageData page, Provenance provenance, Path outDir)
            throws IOException {
        write(table, page, provenance, outDir, SearchCurves.NONE);
    }

    /** Page data from the metrics table, with the searches' best-so-far curves. */
    public static void write(LeaderboardTable table, Dataset<Row> metrics, Provenance provenance, Path outDir,
            SearchCurves search) throws IOException {
        write(table, PageData.of(HarmCurves.rows(metrics)), provenance, outDir, search);
    }

    /**
     * The page with its data, and the best-so-far curves of the run's hyper-parameter searches: when some belong to
     * this table (its track and attack family, resistance), {@value #BEST_SO_FAR_CHART} is written and shown.
     */
    public static void write(LeaderboardTable table, PageData page, Provenance provenance, Path outDir,
            SearchCurves search) throws IOException {
        Files.createDirectories(outDir);
        String family = table.rule().attackFamily();
        String track = table.track();
        byte[] harm = Charts.harmVsSteps(HarmCurves.harm(page.curves(), family, track), family);
        byte[] pillars = Charts.pillarOverview(table);
        List<Html.Drill> drills = new ArrayList<>();
        int i = 0;
        for (LeaderboardRow r : table.rows()) {
            Map<String, SortedMap<Integer, StepCurves.Point>> harmCurves = HarmCurves.drill(page.curves(), r, family,
                    track, false);
            Map<String, SortedMap<Integer, StepCurves.Point>> capability = HarmCurves.drill(page.curves(), r, family,
                    track, true);
            List<GenerationSample> samples = page.samples().stream().filter(s -> s.defence().equals(r.defence())
                    && s.checkpointId().equals(r.checkpointId()) && inScope(s, track)).toList();
            drills.add(new Html.Drill("row-" + (++i), r,
                    harmCurves.isEmpty() ? null : Charts.small(r.label() + ": harmful rate", "harmful rate",
                            harmCurves, 1.02),
                    capability.isEmpty() ? null : Charts.small(r.label() + ": capability", "rate", capability, 1.02),
                    samples));
        }
        Files.write(outDir.resolve(fileName(HARM_CHART, track)), harm);
        Files.write(outDir.resolve(fileName(PILLAR_CHART, track)), pillars);
        Files.writeString(outDir.resolve(fileName(MARKDOWN, track)), Markdown.render(table, provenance),
                StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve(fileName(CSV, track)), Csv.render(table), StandardCharsets.UTF_8);
        SortedMap<String, List<Double>> best = search.lines(track, family);
        byte[] bestPng = best.isEmpty() ? null : Charts.bestSoFar(best, family, search.epsilonText());
        if (bestPng != null) {
            Files.write(outDir.resolve(fileName(BEST_SO_FAR_CHART, track)), bestPng);
        }
        Html.Search searchChart = bestPng == null ? Html.Search.NONE : new Html.Search(bestPng,
                best.values().stream().mapToInt(List::size).max().orElse(0), search.epsilonText());
        Files.writeString(outDir.resolve(fileName(HTML, track)), Html.render(table, provenance,
                new Html.Page(family, harm, pillars, page.uncertainty(), landscapes(outDir), drills,
                        searchChart)),
                StandardCharsets.UTF_8);
    }

    private static boolean inScope(GenerationSample s, String track) {
        return track.equals(Tracks.OPEN_WEIGHT) ? s.track().equals(Tracks.OPEN_WEIGHT)
                : s.track().equals(track) || s.defence().equals("none");
    }

    /** The landscape heatmaps in {@code outDir/landscape}, by file name. */
    static List<Html.Landscape> landscapes(Path outDir) throws IOException {
        Path dir = outDir.resolve(LANDSCAPE_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Html.Landscape> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList()) {
                out.add(new Html.Landscape(p.getFileName().toString(), Files.readAllBytes(p)));
            }
        }
        return out;
    }

    /** The name of file {@code base} ({@link #MARKDOWN} …) for the table of {@code track}. */
    public static String fileName(String base, String track) {
        if (Tracks.OPEN_WEIGHT.equals(track)) {
            return base;
        }
        int dot = base.lastIndexOf('.');
        return base.substring(0, dot) + FINETUNING_SUFFIX + base.substring(dot);
    }
}
