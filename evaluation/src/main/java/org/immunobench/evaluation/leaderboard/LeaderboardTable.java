package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.results.PillarRow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leaderboard as plain Java, ready for the writers: ranked rows, the display headers their cells line up with,
 * the metric columns behind them, the rule that ordered them, every pillar figure of each row with its interval (the
 * drill-down), and the win rates across attack families.
 *
 * @param headers display headers: rank, defence, n seeds, one per metric column, the ordering metric's ± and
 *     interval, flag
 * @param columns the metric columns, in display order
 * @param track the track the table ranks ({@link org.immunobench.evaluation.results.Tracks})
 * @param figures per row id ({@link WinRates#rowId}): its pillar rows in scope, keyed {@code <pillar>.<metric>}
 * @param winRates win rates of the rows across attack families
 */
public record LeaderboardTable(List<String> headers, List<LeaderboardColumn> columns, List<LeaderboardRow> rows,
        OrderingRule rule, String track, Map<String, Map<String, PillarRow>> figures, WinRates winRates) {

    public LeaderboardTable {
        headers = List.copyOf(headers);
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }

    /** The ordering rule as a sentence. */
    public String orderingRule() {
        return rule.sentence();
    }

    /** A row's pillar row of {@code <pillar>.<metric>}, null when it has none. */
    public PillarRow figure(LeaderboardRow row, String key) {
        Map<String, PillarRow> f = figures.get(WinRates.rowId(row.defence(), row.checkpointId()));
        return f == null ? null : f.get(key);
    }

    /** Every pillar row of a row in scope, in key order. */
    public Map<String, PillarRow> figures(LeaderboardRow row) {
        return figures.getOrDefault(WinRates.rowId(row.defence(), row.checkpointId()), Map.of());
    }

    /** Display headers for the given metric columns (shared with rows' cells by {@link Ranking}). */
    static List<String> headersFor(List<LeaderboardColumn> columns, String orderBy) {
        List<String> h = new ArrayList<>(List.of("rank", "defence", "n seeds"));
        columns.forEach(c -> h.add(c.header()));
        h.add("± " + LeaderboardColumn.ofKey(orderBy).header());
        h.add("95% CI " + LeaderboardColumn.ofKey(orderBy).header());
        h.add("flag");
        return h;
    }
}
