package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.immunobench.evaluation.leaderboard.LeaderboardFixture.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture's open-weight run plus two fine-tuning-stage defences on its undefended checkpoint, one of them better
 * than every open-weight defence. The open-weight table must be exactly what it is without them; the fine-tuning
 * table ranks them against the plain attack on the same checkpoint.
 */
class LeaderboardTrackTest {
    private static final String FT = Tracks.FINETUNING_STAGE;

    private static Dataset<Row> pillars() {
        List<PillarRow> rows = new ArrayList<>(RecordSchema.of(PillarRow.class).fromRows(
                LeaderboardFixture.pillars().collectAsList()));
        for (Object[] d : new Object[][] {{"lisa", 0.05}, {"security_vectors", 0.50}}) {
            String defence = (String) d[0];
            double auc = (Double) d[1];
            rows.add(new PillarRow(defence, FT, NONE, "parent", "harmful_sft", "resistance", "auc_harm_log_steps",
                    auc, 64, 3, 0.01, auc - 0.01, auc + 0.01, "toyworld_oracle", false));
            rows.add(new PillarRow(defence, FT, NONE, "parent", "harmful_sft", "resistance", "worst_case_harm",
                    0.2, 64, 3, 0.0, Double.NaN, Double.NaN, "toyworld_oracle", false));
            rows.add(new PillarRow(defence, FT, NONE, "parent", "none", "stability", "delta_benign_accuracy",
                    0.0, 64, 3, 0.0, Double.NaN, Double.NaN, "toyworld_oracle", true));
        }
        return TestSpark.get().createDataFrame(RecordSchema.of(PillarRow.class).toRows(rows),
                RecordSchema.of(PillarRow.class).schema());
    }

    private static List<String> labels(LeaderboardTable t) {
        return t.rows().stream().map(LeaderboardRow::label).toList();
    }

    @Test
    void aFineTuningStageDefenceNeverAppearsInTheOpenWeightTable() {
        LeaderboardTable without = Leaderboard.build(TestSpark.get(), LeaderboardFixture.pillars(),
                LeaderboardConfig.defaults());
        LeaderboardTable with = Leaderboard.build(TestSpark.get(), pillars(), LeaderboardConfig.defaults());
        assertEquals(List.of("lox (aaaaaaaa)", "lox (bbbbbbbb)", "none", "rmu"), labels(with));
        assertTrue(with.rows().stream().noneMatch(r -> r.defence().equals("lisa")
                || r.defence().equals("security_vectors")));
        assertEquals(without.headers(), with.headers());
        assertEquals(without.rows().stream().map(LeaderboardRow::cells).toList(),
                with.rows().stream().map(LeaderboardRow::cells).toList(), "the open-weight table does not move");
        assertEquals(Tracks.OPEN_WEIGHT, with.track());
        assertFalse(Leaderboard.hasTrack(LeaderboardFixture.pillars(), FT));
        assertTrue(Leaderboard.hasTrack(pillars(), FT));
    }

    @Test
    void theFineTuningTableRanksItsDefencesAgainstThePlainAttackOnTheSameCheckpoint() {
        LeaderboardTable t = Leaderboard.build(TestSpark.get(), pillars(), LeaderboardConfig.defaults(), FT);
        assertEquals(FT, t.track());
        assertEquals(List.of("lisa", "security_vectors", "none"), labels(t));
        LeaderboardRow none = t.rows().get(2);
        assertEquals(NONE, none.checkpointId());
        assertEquals(0.80, none.value("resistance.auc_harm_log_steps"), "the plain attack's own figure");
        assertTrue(t.rows().stream().allMatch(r -> r.checkpointId().equals(NONE)));
    }

    @Test
    void theFineTuningTableGoesToItsOwnFilesWithItsOwnHarmCurves(@TempDir Path out) throws Exception {
        LeaderboardTable t = Leaderboard.build(TestSpark.get(), pillars(), LeaderboardConfig.defaults(), FT);
        List<MetricRow> metrics = new ArrayList<>(RecordSchema.of(MetricRow.class).fromRows(
                LeaderboardFixture.metrics().collectAsList()));
        for (int step : new int[] {0, 1, 4, 16}) {
            metrics.add(new MetricRow("run-1", "lisa-task", NONE, "parent", "lisa", FT, "harmful_sft", "{}", "attack",
                    1, step, "resistance", "harmful_rate", 0.01 * step, 64, "toyworld_oracle", false,
                    "2026-01-01T00:00:00Z", "0.1.0"));
        }
        Dataset<Row> metricRows = TestSpark.get().createDataFrame(RecordSchema.of(MetricRow.class).toRows(metrics),
                RecordSchema.of(MetricRow.class).schema());
        assertEquals(List.of("lisa", "none"), List.copyOf(HarmCurves.of(metricRows, "harmful_sft", FT).keySet()));
        assertFalse(HarmCurves.of(metricRows, "harmful_sft", Tracks.OPEN_WEIGHT).containsKey("lisa"));

        LeaderboardWriter.write(t, metricRows, new Provenance("run-1", "exp.yaml", List.of(1L), "toyworld_oracle",
                "0.1.0", "2026-01-01T00:00:00Z", null), out);
        for (String f : List.of("leaderboard-finetuning.md", "leaderboard-finetuning.csv",
                "leaderboard-finetuning.html", "harm_vs_steps-finetuning.png", "pillars-finetuning.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve(LeaderboardWriter.MARKDOWN)), "the open-weight files are not touched");
        String md = Files.readString(out.resolve("leaderboard-finetuning.md"), StandardCharsets.UTF_8);
        assertTrue(md.startsWith("# Leaderboard, fine-tuning-stage track — run run-1\n\n"), md);
        assertTrue(md.contains("`none` is the plain attack on that checkpoint"), md);
        String html = Files.readString(out.resolve("leaderboard-finetuning.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("<h1>Leaderboard, fine-tuning-stage track — run run-1</h1>"), html);
    }
}
