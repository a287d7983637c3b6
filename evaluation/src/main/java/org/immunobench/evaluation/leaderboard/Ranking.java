package org.immunobench.evaluation.leaderboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Orders pivoted rows by the {@link OrderingRule} and gives them ranks. Rows that break stability go after all
 * others, whatever their score: a defence that wrecks the model's benign ability has not immunised it.
 *
 * <p>Ties: a row shares the previous row's rank when nothing separates them: their 95% intervals [ci_low, ci_high]
 * overlap (all four ends finite), or their ordering values are equal (two rows that never broke, two identical
 * figures: no interval needed to call those even). This is a chain, not a clique — A=B and B=C tie A with C even
 * when A and C alone would not — which keeps the rule checkable row by row in the printed table. Overlap of two
 * 95% intervals is a conservative test (two figures can differ significantly while their intervals touch), so a
 * tie reads "not shown to differ", never "shown equal".
 */
final class Ranking {
    private Ranking() {
    }

    static List<LeaderboardRow> rank(List<PillarPivot.Pivoted> rows, List<LeaderboardColumn> columns,
            OrderingRule rule) {
        Function<PillarPivot.Pivoted, String> label = RowLabels.of(rows);
        Comparator<PillarPivot.Pivoted> order = Comparator
                .comparing((PillarPivot.Pivoted r) -> breaks(r, rule))
                .thenComparing((a, b) -> rule.compareValues(a.values().get(rule.orderBy()),
                        b.values().get(rule.orderBy())))
                .thenComparing(PillarPivot.Pivoted::defence)
                .thenComparing(PillarPivot.Pivoted::checkpointId);
        List<PillarPivot.Pivoted> sorted = rows.stream().sorted(order).toList();

        int[] ranks = new int[sorted.size()];
        boolean[] tied = new boolean[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            ranks[i] = i + 1;
            if (i > 0 && breaks(sorted.get(i), rule) == breaks(sorted.get(i - 1), rule)
                    && (overlap(sorted.get(i - 1), sorted.get(i)) || equal(sorted.get(i - 1), sorted.get(i), rule))) {
                ranks[i] = ranks[i - 1];
                tied[i] = true;
                tied[i - 1] = true;
            }
        }
        LeaderboardColumn orderColumn = LeaderboardColumn.ofKey(rule.orderBy());
        List<LeaderboardRow> out = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            PillarPivot.Pivoted r = sorted.get(i);
            boolean breaks = breaks(r, rule);
            List<String> cells = new ArrayList<>();
            cells.add(CellFormat.rank(ranks[i], tied[i]));
            cells.add(label.apply(r));
            cells.add(r.nSeeds() == null ? "" : r.nSeeds().toString());
            for (LeaderboardColumn c : columns) {
                cells.add(CellFormat.value(c, r.values().get(c.key())));
            }
            cells.add(CellFormat.spread(orderColumn, r.spread()));
            cells.add(CellFormat.interval(orderColumn, r.ciLow(), r.ciHigh()));
            cells.add(breaks ? "breaks stability" : "");
            out.add(new LeaderboardRow(ranks[i], tied[i], label.apply(r), r.defence(), r.checkpointId(), r.values(),
                    r.nSeeds(), r.spread(), r.ciLow(), r.ciHigh(), breaks, cells));
        }
        return out;
    }

    private static boolean breaks(PillarPivot.Pivoted r, OrderingRule rule) {
        return rule.breaksStability(r.values().get(ColumnPlan.STABILITY_KEY),
                r.values().get(ColumnPlan.HARM_AT_RELEASE_KEY));
    }

    static boolean overlap(PillarPivot.Pivoted a, PillarPivot.Pivoted b) {
        if (!finite(a.ciLow()) || !finite(a.ciHigh()) || !finite(b.ciLow()) || !finite(b.ciHigh())) {
            return false;
        }
        return a.ciLow() <= b.ciHigh() && b.ciLow() <= a.ciHigh();
    }

    /** Equal ordering values (NaN and missing never are). */
    static boolean equal(PillarPivot.Pivoted a, PillarPivot.Pivoted b, OrderingRule rule) {
        Double x = a.values().get(rule.orderBy());
        Double y = b.values().get(rule.orderBy());
        return x != null && y != null && !x.isNaN() && !y.isNaN() && x.doubleValue() == y.doubleValue();
    }

    private static boolean finite(Double v) {
        return v != null && Double.isFinite(v);
    }
}
