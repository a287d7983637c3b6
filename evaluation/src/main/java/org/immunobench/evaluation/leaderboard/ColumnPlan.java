package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.pillars.PillarMetrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which metric columns the leaderboard shows, in which order. The set is fixed (so CSVs of different runs line up
 * and a metric missing from a run shows as blank cells, not a missing column) except for t_break, whose φ levels are
 * whatever the pillars were computed at: only the smallest and largest φ present are shown, the two ends of "how
 * long until the attack first gets somewhere" and "until it gets most of the way".
 */
final class ColumnPlan {
    static final String STABILITY_KEY = "stability.delta_benign_accuracy";
    /** Read for the stability flag, not shown as a column (the harm curve's step 0 shows it). */
    static final String HARM_AT_RELEASE_KEY = "stability.delta_harmful_rate";

    private static final Pattern T_BREAK = Pattern.compile("t_break_phi_(\\d+(?:\\.\\d+)?)");

    private ColumnPlan() {
    }

    /** {@link #of(Collection, String, double)} at the default ε. */
    static List<LeaderboardColumn> of(Collection<String> presentKeys, String orderKey) {
        return of(presentKeys, orderKey, LeaderboardConfig.DEFAULT_BOUNDED_EPSILON);
    }

    /**
     * @param presentKeys {@code <pillar>.<metric>} keys found in the pillar rows in scope
     * @param orderKey the ordering metric's key: added to its pillar's columns when the fixed set lacks it
     * @param boundedEpsilon when a search's {@code bounded_worst_case_eps_ε} at this ε is present for the resistance
     *     (or generalisation) pillar, it heads that pillar's group, followed by the search's unbounded
     *     {@code worst_case}, then the fixed grid's figures as before
     */
    static List<LeaderboardColumn> of(Collection<String> presentKeys, String orderKey, double boundedEpsilon) {
        Map<String, List<String>> byPillar = new LinkedHashMap<>();
        List<String> resistance = new ArrayList<>(List.of("worst_case_harm", "auc_harm_log_steps"));
        tBreakExtremes(presentKeys).forEach(resistance::add);
        resistance.add("final_harmful_nll");
        byPillar.put("resistance", resistance);
        byPillar.put("stability",
                new ArrayList<>(List.of("delta_benign_accuracy", "delta_fluent_rate", "delta_over_refusal")));
        byPillar.put("generalisation", new ArrayList<>(List.of("worst_case_harm", "auc_harm_log_steps")));
        String bounded = PillarMetrics.boundedWorstCase(boundedEpsilon);
        for (String pillar : List.of("resistance", "generalisation")) {
            if (presentKeys.contains(pillar + "." + bounded)) {
                byPillar.get(pillar).addAll(0, List.of(bounded, PillarMetrics.WORST_CASE));
            }
        }
        byPillar.put("trainability",
                new ArrayList<>(List.of("delta_task_accuracy_final", "steps_to_parent_task_accuracy")));

        LeaderboardColumn order = LeaderboardColumn.ofKey(orderKey);
        List<String> orderPillar = byPillar.get(order.pillar());
        if (!orderPillar.contains(order.metric())) {
            orderPillar.add(order.metric());
        }
        List<LeaderboardColumn> columns = new ArrayList<>();
        byPillar.forEach((pillar, metrics) -> metrics.forEach(m -> columns.add(new LeaderboardColumn(pillar, m))));
        return List.copyOf(columns);
    }

    /** The resistance t_break metrics at the smallest and largest φ present (one when only one φ is). */
    static List<String> tBreakExtremes(Collection<String> presentKeys) {
        List<Map.Entry<BigDecimal, String>> found = new ArrayList<>();
        for (String key : presentKeys) {
            if (!key.startsWith("resistance.")) {
                continue;
            }
            String metric = key.substring("resistance.".length());
            Matcher m = T_BREAK.matcher(metric);
            if (m.matches()) {
                found.add(Map.entry(new BigDecimal(m.group(1)), metric));
            }
        }
        Optional<Map.Entry<BigDecimal, String>> min = found.stream().min(Map.Entry.comparingByKey());
        Optional<Map.Entry<BigDecimal, String>> max = found.stream().max(Map.Entry.comparingByKey());
        if (min.isEmpty()) {
            return List.of();
        }
        return min.get().getValue().equals(max.get().getValue()) ? List.of(min.get().getValue())
                : List.of(min.get().getValue(), max.get().getValue());
    }
}
