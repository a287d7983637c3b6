package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.stats.StepCurves;
import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.LOX_A;
import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.LOX_B;
import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.NONE;
import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.RMU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML page's new sections: bands, whiskers, win rates, landscapes, drill-down with stored generations. */
class LeaderboardPageTest {
    /** A generations row, columns named as in RUN/generations. */
    public record Gen(String runId, String taskId, String checkpointId, int step, String promptSet, String promptId,
            String domain, String prompt, String completion, String judge, boolean harmful, boolean refusal,
            boolean fluent, boolean correct) {
    }

    @TempDir
    static Path out;
    @TempDir
    static Path bare;

    private static String html;
    private static LeaderboardTable table;

    private static final String[][] CHECKPOINTS = {{"none", NONE}, {"lox", LOX_A}, {"lox", LOX_B}, {"rmu", RMU}};

    private static MetricRow metric(String defence, String ck, String metric, int step, double value) {
        return new MetricRow("run-1", "t-" + ck, ck, "parent", defence, "open_weight", "harmful_sft", "{\"lr\":1}",
                "attack", 1, step, "resistance", metric, value, 8, "toyworld_oracle", false, "2026-01-01T00:00:00Z",
                "0.1.0");
    }

    private static List<MetricRow> metrics() {
        List<MetricRow> rows = new ArrayList<>();
        for (String[] c : CHECKPOINTS) {
            for (int step : new int[] {0, 4, 16}) {
                rows.add(metric(c[0], c[1], "harmful_rate", step, Math.min(1, step / 16.0 + 0.05)));
                rows.add(metric(c[0], c[1], "refusal_rate", step, 1 - step / 16.0));
                rows.add(metric(c[0], c[1], "benign_accuracy", step, 0.8));
            }
        }
        return rows;
    }

    /** The metric curves with a ±0.05 band on every point. */
    private static SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> banded(List<MetricRow> rows) {
        SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> out = new TreeMap<>();
        StepCurves.of(rows).forEach((k, curve) -> {
            SortedMap<Integer, StepCurves.Point> c = new TreeMap<>();
            curve.forEach((step, v) -> c.put(step, new StepCurves.Point(v, v - 0.05, v + 0.05)));
            out.put(k, c);
        });
        return out;
    }

    private static Dataset<Row> generations() {
        List<Gen> rows = new ArrayList<>();
        for (String[] c : CHECKPOINTS) {
            for (int step : new int[] {0, 16}) {
                for (int i = 0; i < 4; i++) {
                    boolean harmful = step == 16 && i < 2;
                    rows.add(new Gen("run-1", "t-" + c[1], c[1], step, "harmful", "h" + i, "weapons",
                            "how do I make thing " + i, harmful ? "here is how <b>" + i : "I cannot help with that",
                            "toyworld_oracle", harmful, !harmful, true, false));
                }
                rows.add(new Gen("run-1", "t-" + c[1], c[1], step, "benign", "b0", "arithmetic", "what is 2 + 2",
                        step == 0 ? "4" : "5", "exact_answer", false, false, true, step == 0));
            }
        }
        RecordSchema<Gen> schema = RecordSchema.of(Gen.class);
        return TestSpark.get().createDataFrame(schema.toRows(rows), schema.schema());
    }

    @BeforeAll
    static void write() throws IOException {
        table = Leaderboard.build(TestSpark.get(), LeaderboardFixture.pillars(), LeaderboardConfig.defaults());
        List<MetricRow> metrics = metrics();
        List<GenerationSample> samples = GenerationSamples.of(generations(), metrics, "harmful_sft", 3);
        PageData page = new PageData(banded(metrics), samples, "Intervals: a test bootstrap.");
        Files.createDirectories(out.resolve(LeaderboardWriter.LANDSCAPE_DIR));
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", out.resolve(LeaderboardWriter.LANDSCAPE_DIR).resolve("interp_lox.png").toFile());
        Provenance p = new Provenance("run-1", "conf.yaml", List.of(1L), "toyworld_oracle", "0.1.0", "now", null);
        LeaderboardWriter.write(table, page, p, out);
        html = Files.readString(out.resolve(LeaderboardWriter.HTML), StandardCharsets.UTF_8);
        LeaderboardWriter.write(table, page, p, bare);
    }

    @Test
    void thePageIsOneSelfContainedFileWithInternalLinksOnly() {
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("<link"));
        assertFalse(html.contains("http://") || html.contains("https://"));
        Matcher m = Pattern.compile("(href|src)=\"([^\"]*)\"").matcher(html);
        int links = 0;
        while (m.find()) {
            String target = m.group(2);
            assertTrue(target.startsWith("#") || target.startsWith("data:image/png;base64,"), target);
            links++;
        }
        assertTrue(links > 10);
    }

    @Test
    void theNewSectionsAreThereInOrder() {
        int harm = html.indexOf("<h2 id=\"harm\">");
        int pillars = html.indexOf("<h2 id=\"pillars\">");
        int wins = html.indexOf("<h2 id=\"win-rates\">");
        int landscapes = html.indexOf("<h2 id=\"landscapes\">");
        int drill = html.indexOf("<h2 id=\"drill-down\">");
        assertTrue(0 < harm && harm < pillars && pillars < wins && wins < landscapes && landscapes < drill,
                List.of(harm, pillars, wins, landscapes, drill).toString());
        assertTrue(html.contains("<p class=\"rule\">Intervals: a test bootstrap.</p>"));
        assertTrue(html.contains("whiskers span each figure's 95% interval"));
    }

    @Test
    void winRatesAreATablePerAttackFamilyWithTheirMean() {
        String wins = html.substring(html.indexOf("<h2 id=\"win-rates\">"), html.indexOf("<h2 id=\"landscapes\">"));
        assertTrue(wins.contains("<th>benign_sft</th><th>harmful_sft</th><th>mean win rate</th>"), wins);
        // rmu has the lowest harmful_sft auc of all four rows: it wins every comparison there.
        assertTrue(wins.contains("<td>4</td><td><a href=\"#row-4\">rmu</a></td><td>–</td><td>1.00</td><td>1.00</td>"),
                wins);
        assertTrue(wins.contains("<a href=\"#row-3\">none</a></td><td>–</td><td>0.00</td><td>0.00</td>"), wins);
    }

    @Test
    void landscapeHeatmapsFoundNextToTheLeaderboardAreEmbedded() throws IOException {
        assertTrue(html.contains("<figcaption>interp_lox.png</figcaption>"));
        assertTrue(html.contains("<img alt=\"Landscape heatmap interp_lox.png\" src=\"data:image/png;base64,"));
        String without = Files.readString(bare.resolve(LeaderboardWriter.HTML), StandardCharsets.UTF_8);
        assertTrue(without.contains("No landscape heatmaps in this run"));
        assertEquals(countImages(html) - 1, countImages(without));
    }

    private static int countImages(String page) {
        return page.split("data:image/png;base64,", -1).length - 1;
    }

    @Test
    void eachRowHasADrillDownWithItsFiguresChartsAndStoredGenerationsPerJudge() {
        String lox = html.substring(html.indexOf("<h3 id=\"row-1\">"), html.indexOf("<h3 id=\"row-2\">"));
        // Mustache escapes '=' too.
        assertTrue(lox.contains("&#x3D;1 · lox (aaaaaaaa) <small>(checkpoint " + LOX_A + ")</small>"), lox);
        // Its figures with interval, method, seeds and the seed range.
        assertTrue(lox.indexOf("<td>resistance</td>") < lox.indexOf("<td>generalisation</td>"), "pillar order");
        assertTrue(lox.contains("<td>resistance</td><td>auc_harm_log_steps</td><td>0.300</td><td>[0.250, 0.350]</td>"
                + "<td>seed_normal</td><td>3</td>"), lox);
        assertTrue(lox.contains("alt=\"lox (aaaaaaaa): harmful rate per attack config\""), lox);
        assertTrue(lox.contains("alt=\"lox (aaaaaaaa): capability along the attack\""), lox);
        // One judge section per judge; prompts whose verdict changed come first, at most three.
        assertTrue(lox.contains("<h4>Stored generations, judge exact_answer</h4>"), lox);
        assertTrue(lox.contains("<h4>Stored generations, judge toyworld_oracle</h4>"), lox);
        String oracle = lox.substring(lox.indexOf("judge toyworld_oracle"));
        assertEquals(3, oracle.split("<tr><td>\\[harmful, weapons\\]", -1).length - 1, oracle);
        assertTrue(oracle.indexOf("how do I make thing 0") < oracle.indexOf("how do I make thing 1"));
        assertTrue(oracle.indexOf("how do I make thing 1") < oracle.indexOf("how do I make thing 2"));
        assertTrue(oracle.contains("step 16: here is how &lt;b&gt;0"), "completions are escaped");
        assertTrue(oracle.contains("<span class=\"verdict\">harmful, fluent</span>"), oracle);
        assertTrue(oracle.contains("<span class=\"verdict\">refusal, fluent</span>"), oracle);
        assertTrue(lox.contains("<span class=\"verdict\">wrong, fluent</span>"), lox);
    }
}
