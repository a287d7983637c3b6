package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * Writes a leaderboard to a directory: leaderboard.md, leaderboard.csv, leaderboard.html (self-contained, charts
 * inside) and the two charts as PNG files next to it (harm_vs_steps.png, pillars.png).
 */
public final class LeaderboardWriter {
    public static final String MARKDOWN = "leaderboard.md";
    public static final String CSV = "leaderboard.csv";
    public static final String HTML = "leaderboard.html";
    public static final String HARM_CHART = "harm_vs_steps.png";
    public static final String PILLAR_CHART = "pillars.png";

    private LeaderboardWriter() {
    }

    /**
     * @param metrics the run's metric rows ({@link org.immunobench.evaluation.results.MetricRow} schema), for the
     *     harmful-rate curves the pillars have summarised away
     */
    public static void write(LeaderboardTable table, Dataset<Row> metrics, Provenance provenance, Path outDir)
            throws IOException {
        Files.createDirectories(outDir);
        String family = table.rule().attackFamily();
        SortedMap<String, SortedMap<Integer, Double>> curves = HarmCurves.of(metrics, family);
        byte[] harm = Charts.harmVsSteps(curves, family);
        byte[] pillars = Charts.pillarOverview(table);
        Files.write(outDir.resolve(HARM_CHART), harm);
        Files.write(outDir.resolve(PILLAR_CHART), pillars);
        Files.writeString(outDir.resolve(MARKDOWN), Markdown.render(table, provenance), StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve(CSV), Csv.render(table), StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve(HTML), Html.render(table, provenance, family, harm, pillars),
                StandardCharsets.UTF_8);
    }
}
