package org.immunobench.evaluation.leaderboard;

import java.util.ArrayList;
import java.util.List;

/**
 * The leaderboard as plain Java, ready for the writers: ranked rows, the display headers their cells line up with,
 * the metric columns behind them, and the rule that ordered them.
 *
 * @param headers display headers: rank, defence, n seeds, one per metric column, the ordering metric's ±, flag
 * @param columns the metric columns, in display order
 * @param track the track the table ranks ({@link org.immunobench.evaluation.results.Tracks})
 */
public record LeaderboardTable(List<String> headers, List<LeaderboardColumn> columns, List<LeaderboardRow> rows,
        OrderingRule rule, String track) {

    public LeaderboardTable {
        headers = List.copyOf(headers);
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** The ordering rule as a sentence. */
    public String orderingRule() {
        return rule.sentence();
    }

    /** Display headers for the given metric columns (shared with rows' cells by {@link Ranking}). */
    static List<String> headersFor(List<LeaderboardColumn> columns, String orderBy) {
        List<String> h = new ArrayList<>(List.of("rank", "defence", "n seeds"));
        columns.forEach(c -> h.add(c.header()));
        h.add("± " + LeaderboardColumn.ofKey(orderBy).header());
        h.add("flag");
        return h;
    }
}
