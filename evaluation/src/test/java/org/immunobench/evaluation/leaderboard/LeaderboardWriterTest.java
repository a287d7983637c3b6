package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaderboardWriterTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    static Path out;

    private static LeaderboardTable table;

    @BeforeAll
    static void write() throws IOException {
        table = Leaderboard.build(TestSpark.get(), LeaderboardFixture.pillars(), LeaderboardConfig.defaults());
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("immunise", 12.5);
        timings.put("attack", 3.25);
        timings.put("evaluate", 7.0);
        Provenance p = new Provenance("run-1", "run:\n  name: toy\nseeds: [1, 2, 3]\n", List.of(1L, 2L, 3L),
                "toyworld_oracle", "0.1.0 (abc1234)", "2026-01-01T00:00:00Z", timings);
        LeaderboardWriter.write(table, LeaderboardFixture.metrics(), p, out);
    }

    private static String read(String name) throws IOException {
        return Files.readString(out.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void markdownHasTheTableInRankOrderTheRuleAndTheProvenance() throws IOException {
        List<String> lines = read(LeaderboardWriter.MARKDOWN).lines().toList();
        int header = lines.indexOf("| rank | defence | n seeds | resistance worst_case_harm"
                + " | resistance auc_harm_log_steps | resistance t_break_phi_0.25 | resistance t_break_phi_0.75"
                + " | resistance final_harmful_nll | stability delta_benign_accuracy | stability delta_fluent_rate"
                + " | stability delta_over_refusal | generalisation worst_case_harm"
                + " | generalisation auc_harm_log_steps | trainability delta_task_accuracy_final"
                + " | trainability steps_to_parent_task_accuracy | ± resistance auc_harm_log_steps"
                + " | 95% CI resistance auc_harm_log_steps | flag |");
        assertTrue(header > 0, String.join("\n", lines));
        assertTrue(lines.get(header + 1).startsWith("| ---: | --- | ---: |"), lines.get(header + 1));
        assertEquals("| =1 | lox (aaaaaaaa) | 3 | 0.400 | 0.300 | 8 | never (≤ max step) | 2.500 | -0.010 | -0.020"
                + " | +0.010 |  | – |  |  | ±0.020 | [0.250, 0.350] |  |", lines.get(header + 2));
        assertTrue(lines.get(header + 3).startsWith("| =1 | lox (bbbbbbbb) |"));
        assertTrue(lines.get(header + 4).startsWith("| 3 | none |"));
        assertTrue(lines.get(header + 5).startsWith("| 4 | rmu |"));
        assertTrue(lines.get(header + 5).endsWith("| ±0.010 | [0.080, 0.120] | breaks stability |"));
        assertEquals("", lines.get(header + 6));
        assertEquals(table.orderingRule(), lines.get(header + 7));
        String md = read(LeaderboardWriter.MARKDOWN);
        assertTrue(md.contains("- config:\n\n```\nrun:\n  name: toy\nseeds: [1, 2, 3]\n```\n"), md);
        assertTrue(md.contains("- seeds: 1, 2, 3\n- judge: toyworld_oracle\n- code version: 0.1.0 (abc1234)\n"
                + "- created at: 2026-01-01T00:00:00Z\n"), md);
        assertTrue(md.contains("- stage timings:\n  - immunise: 12.5 s\n  - attack: 3.3 s\n  - evaluate: 7.0 s\n"),
                md);
    }

    @Test
    void csvHasKeysAsHeaderRawNumbersAndRowsInRankOrder() throws IOException {
        String csv = read(LeaderboardWriter.CSV);
        assertTrue(csv.endsWith("\r\n"));
        List<String> lines = Arrays.asList(csv.split("\r\n"));
        assertEquals("rank,tied,label,defence,checkpoint_id,n_seeds,resistance.worst_case_harm,"
                + "resistance.auc_harm_log_steps,resistance.t_break_phi_0.25,resistance.t_break_phi_0.75,"
                + "resistance.final_harmful_nll,stability.delta_benign_accuracy,stability.delta_fluent_rate,"
                + "stability.delta_over_refusal,generalisation.worst_case_harm,generalisation.auc_harm_log_steps,"
                + "trainability.delta_task_accuracy_final,trainability.steps_to_parent_task_accuracy,order_spread,"
                + "order_ci_low,order_ci_high,breaks_stability", lines.get(0));
        assertEquals(5, lines.size());
        assertEquals("1,true,lox (aaaaaaaa),lox,aaaaaaaa1111,3,0.4,0.3,8.0,Infinity,2.5,-0.01,-0.02,0.01,,NaN,,,"
                + "0.02,0.25,0.35,false", lines.get(1));
        assertTrue(lines.get(2).startsWith("1,true,lox (bbbbbbbb),lox,bbbbbbbb2222,"));
        assertTrue(lines.get(3).startsWith("3,false,none,none,nnnnnnnn0000,"));
        assertTrue(lines.get(4).startsWith("4,false,rmu,rmu,cccccccc3333,"));
        assertTrue(lines.get(4).endsWith(",true"));
    }

    @Test
    void csvQuotesFieldsPerRfc4180() {
        assertEquals("plain", Csv.field("plain"));
        assertEquals("\"a,b\"", Csv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", Csv.field("say \"hi\""));
        assertEquals("\"two\nlines\"", Csv.field("two\nlines"));
    }

    @Test
    void htmlIsSelfContainedWithTheTableAndBothCharts() throws IOException {
        String html = read(LeaderboardWriter.HTML);
        List<String> labels = List.of("lox (aaaaaaaa)", "lox (bbbbbbbb)", "none", "rmu");
        for (int i = 0; i < labels.size(); i++) {
            // Each label links to its drill-down section, which exists.
            assertTrue(html.contains("<td><a href=\"#row-" + (i + 1) + "\">" + labels.get(i) + "</a></td>"),
                    labels.get(i));
            assertTrue(html.contains("<h3 id=\"row-" + (i + 1) + "\">"), labels.get(i));
        }
        assertTrue(html.indexOf("#row-1\">lox (aaaaaaaa)") < html.indexOf("#row-3\">none"));
        assertTrue(html.contains("<tr class=\"breaks\"><td>4</td><td><a href=\"#row-4\">rmu</a></td>"), html);
        assertTrue(html.contains("<td>breaks stability</td>"));
        assertTrue(html.contains("<td>never (≤ max step)</td>"));
        // The two main charts, a harm chart per row and one capability chart: only lox (aaaaaaaa) has a refusal
        // curve in the fixture's metrics.
        assertEquals(2 + 4 + 1, html.split("data:image/png;base64,", -1).length - 1);
        assertFalse(html.contains("http://"));
        assertFalse(html.contains("https://"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("<link"));
        assertTrue(html.contains("<dt>judge</dt><dd>toyworld_oracle</dd>"));
        assertTrue(html.contains("<td>attack</td><td>3.3 s</td>"));
        assertTrue(html.contains("<pre>run:\n  name: toy\nseeds: [1, 2, 3]\n</pre>"), html);
    }

    @Test
    void chartsAreWrittenAsPngFilesToo() throws IOException {
        for (String name : List.of(LeaderboardWriter.HARM_CHART, LeaderboardWriter.PILLAR_CHART)) {
            byte[] bytes = Files.readAllBytes(out.resolve(name));
            assertTrue(bytes.length > 1000, name);
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 4), name);
        }
    }

    @Test
    void harmCurvesAverageSeedsPerCheckpointAndStepWithinTheFamily() {
        SortedMap<String, SortedMap<Integer, Double>> curves =
                HarmCurves.of(LeaderboardFixture.metrics(), "harmful_sft");
        // lox made two checkpoints: two curves, labelled as in the table.
        assertEquals(List.of("lox (aaaaaaaa)", "lox (bbbbbbbb)", "none", "rmu"), List.copyOf(curves.keySet()));
        assertEquals(List.of(0, 1, 4, 16), List.copyOf(curves.get("lox (aaaaaaaa)").keySet()));
        // Seeds add 0.02 and 0.04 at step 0: mean 0.03, whatever the benign_sft and refusal rows say.
        assertEquals(0.03, curves.get("lox (aaaaaaaa)").get(0), 1e-12);
        assertEquals(0.2 + 0.03, curves.get("lox (bbbbbbbb)").get(16), 1e-12);
    }
}
