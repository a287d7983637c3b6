package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.Tracks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

/**
 * Writes a leaderboard to a directory: leaderboard.md, leaderboard.csv, leaderboard.html (self-contained, charts
 * inside) and the two charts as PNG files next to it (harm_vs_steps.png, pillars.png). The fine-tuning-stage table
 * goes to the same names with {@value #FINETUNING_SUFFIX} before the extension (leaderboard-finetuning.md …), so the
 * open-weight files stay exactly what they were and no reader of them can mix the two threat models.
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

    private LeaderboardWriter() {
    }

    /**
     * @param metrics the run's metric rows ({@link org.immunobench.evaluation.results.MetricRow} schema), for the
     *     harmful-rate curves the pillars have summarised away
     */
    public static void write(LeaderboardTable table, Dataset<Row> metrics, Provenance provenance, Path outDir)
            throws IOException {
        write(table, metrics, provenance, outDir, SearchCurves.NONE);
    }

    /**
     * The same, with the best-so-far curves of the run's hyper-parameter searches: when some belong to this table
     * (its track and attack family, resistance), {@value #BEST_SO_FAR_CHART} is written and shown in the page.
     */
    public static void write(LeaderboardTable table, Dataset<Row> metrics, Provenance provenance, Path outDir,
            SearchCurves search) throws IOException {
        Files.createDirectories(outDir);
        String family = table.rule().attackFamily();
        String track = table.track();
        SortedMap<String, SortedMap<Integer, Double>> curves = HarmCurves.of(metrics, family, track);
        byte[] harm = Charts.harmVsSteps(curves, family);
        byte[] pillars = Charts.pillarOverview(table);
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
        Files.writeString(outDir.resolve(fileName(HTML, track)), Html.render(table, provenance, family, harm,
                pillars, bestPng, best.values().stream().mapToInt(List::size).max().orElse(0),
                search.epsilonText()), StandardCharsets.UTF_8);
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
