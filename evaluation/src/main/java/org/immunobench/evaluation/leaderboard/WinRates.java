package org.immunobench.evaluation.leaderboard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * HELM-style win rates (Liang et al., arXiv 2211.09110: a model's mean win rate is the fraction of head-to-head
 * comparisons it wins, averaged over scenarios), with attack families as the scenarios. For a family f, the players
 * are the table's rows with a (non-NaN) value of the figure under f; for a player a with opponents O (the other
 * players of f):
 * <pre>
 *   win_rate(a, f) = ( #{b ∈ O : a better than b} + ½ · #{b ∈ O : a equal to b} ) / |O|      (undefined if O = ∅)
 *   mean_win_rate(a) = mean over the families f where win_rate(a, f) is defined
 * </pre>
 * "Better" follows the figure's direction (lower harm wins); equal values (also two +∞: neither broke) split the
 * point. Values are compared as they are, without their intervals: a win rate summarises the table's order across
 * families, not its significance.
 *
 * @param pillar the pillar of the figure compared
 * @param metric the figure
 * @param families the attack families, sorted
 * @param rates per row id ({@link #rowId}): family → win rate, for the families where it is defined
 * @param means per row id: the mean win rate, absent when no family defines one
 */
public record WinRates(String pillar, String metric, List<String> families, Map<String, Map<String, Double>> rates,
        Map<String, Double> means) {

    public WinRates {
        families = List.copyOf(families);
        rates = Collections.unmodifiableMap(new LinkedHashMap<>(rates));
        means = Collections.unmodifiableMap(new LinkedHashMap<>(means));
    }

    /** One figure of one row under one attack family. */
    record Entry(String rowId, String family, double value) {
    }

    /** Rows are told apart by defence and checkpoint (one checkpoint may carry several fine-tuning-stage rows). */
    static String rowId(String defence, String checkpointId) {
        return defence + '\u0000' + checkpointId;
    }

    static WinRates of(String pillar, String metric, boolean higherIsBetter, List<Entry> entries) {
        Map<String, List<Entry>> byFamily = new TreeMap<>();
        for (Entry e : entries) {
            if (!Double.isNaN(e.value())) {
                byFamily.computeIfAbsent(e.family(), f -> new ArrayList<>()).add(e);
            }
        }
        Map<String, Map<String, Double>> rates = new TreeMap<>();
        byFamily.forEach((family, players) -> {
            if (players.size() < 2) {
                return;
            }
            for (Entry a : players) {
                double wins = 0;
                for (Entry b : players) {
                    if (b == a) {
                        continue;
                    }
                    int c = Double.compare(a.value(), b.value());
                    if (c == 0) {
                        wins += 0.5;
                    } else if (higherIsBetter ? c > 0 : c < 0) {
                        wins += 1;
                    }
                }
                rates.computeIfAbsent(a.rowId(), k -> new TreeMap<>()).put(family, wins / (players.size() - 1));
            }
        });
        Map<String, Double> means = new TreeMap<>();
        rates.forEach((row, perFamily) -> means.put(row,
                perFamily.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        return new WinRates(pillar, metric, List.copyOf(new TreeSet<>(byFamily.keySet())), rates, means);
    }

    /** A row's win rate under a family, null when undefined. */
    public Double rate(String rowId, String family) {
        Map<String, Double> r = rates.get(rowId);
        return r == null ? null : r.get(family);
    }

    /** A row's mean win rate, null when undefined. */
    public Double mean(String rowId) {
        return means.get(rowId);
    }
}
