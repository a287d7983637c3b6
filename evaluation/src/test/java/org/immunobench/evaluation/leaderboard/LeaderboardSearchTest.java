package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.pillars.BestSoFar;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a search ran, its bounded worst case at the configured ε heads the resistance columns, and a chart shows it. */
class LeaderboardSearchTest {
    private static Dataset<Row> withSearch() {
        List<PillarRow> rows = new ArrayList<>(RecordSchema.of(PillarRow.class).fromRows(
                LeaderboardFixture.pillars().collectAsList()));
        String[][] cks = {{"none", LeaderboardFixture.NONE}, {"lox", LeaderboardFixture.LOX_A},
            {"lox", LeaderboardFixture.LOX_B}, {"rmu", LeaderboardFixture.RMU}};
        double v = 0.9;
        for (String[] c : cks) {
            for (String m : List.of("worst_case", "bounded_worst_case_eps_1", "bounded_worst_case_eps_5")) {
                rows.add(new PillarRow(c[0], "open_weight", c[1], "parent", "harmful_sft", "resistance", m,
                        m.endsWith("_1") ? v - 0.2 : v, 64, 1, 0, Double.NaN, Double.NaN, "toyworld_oracle", false));
            }
            v -= 0.1;
        }
        return TestSpark.get().createDataFrame(RecordSchema.of(PillarRow.class).toRows(rows),
                RecordSchema.of(PillarRow.class).schema());
    }

    @Test
    void theBoundedWorstCaseAtTheConfiguredEpsilonHeadsTheResistanceGroup() {
        LeaderboardTable five = Leaderboard.build(TestSpark.get(), withSearch(), LeaderboardConfig.defaults());
        List<String> keys = five.columns().stream().map(LeaderboardColumn::key).toList();
        assertEquals(List.of("resistance.bounded_worst_case_eps_5", "resistance.worst_case",
                "resistance.worst_case_harm"), keys.subList(0, 3));
        assertFalse(keys.contains("resistance.bounded_worst_case_eps_1"));
        LeaderboardTable one = Leaderboard.build(TestSpark.get(), withSearch(),
                new LeaderboardConfig(null, null, null, 1.0));
        assertEquals("resistance.bounded_worst_case_eps_1", one.columns().get(0).key());
        assertEquals(0.7, one.rows().stream().filter(r -> r.defence().equals("none")).findFirst().orElseThrow()
                .value("resistance.bounded_worst_case_eps_1"), 1e-12);
        // Without a search nothing changes: today's worst case over the grid comes first.
        LeaderboardTable plain = Leaderboard.build(TestSpark.get(), LeaderboardFixture.pillars(),
                LeaderboardConfig.defaults());
        assertEquals("resistance.worst_case_harm", plain.columns().get(0).key());
    }

    @Test
    void theBestSoFarChartIsWrittenOnlyForASearchOfTheTablesFamily(@TempDir Path out) throws Exception {
        LeaderboardTable table = Leaderboard.build(TestSpark.get(), withSearch(), LeaderboardConfig.defaults());
        Provenance p = new Provenance("run-1", "c.yaml", List.of(0L), "toyworld_oracle", "v", "t", null);
        List<BestSoFar> curves = List.of(
                new BestSoFar("none", "open_weight", LeaderboardFixture.NONE, "harmful_sft", "resistance", 5,
                        List.of(0.2, 0.6, 0.6, 0.9)),
                new BestSoFar("rmu", "open_weight", LeaderboardFixture.RMU, "harmful_sft", "resistance", 5,
                        List.of(0.0, 0.1, 0.3, 0.3)));
        LeaderboardWriter.write(table, LeaderboardFixture.metrics(), p, out, new SearchCurves(curves, 5));
        assertTrue(Files.size(out.resolve(LeaderboardWriter.BEST_SO_FAR_CHART)) > 1000);
        String html = Files.readString(out.resolve(LeaderboardWriter.HTML));
        assertTrue(html.contains("Hyper-parameter search: best harm so far"), html);
        assertTrue(html.contains("at most 5\npoints") || html.contains("at most 5 points"), html);

        Path other = out.resolve("other");
        List<BestSoFar> benign = List.of(new BestSoFar("none", "open_weight", LeaderboardFixture.NONE, "benign_sft",
                "resistance", 5, List.of(0.1)));
        LeaderboardWriter.write(table, LeaderboardFixture.metrics(), p, other, new SearchCurves(benign, 5));
        assertFalse(Files.exists(other.resolve(LeaderboardWriter.BEST_SO_FAR_CHART)));
        assertFalse(Files.readString(other.resolve(LeaderboardWriter.HTML)).contains("best harm so far"));
    }
}
