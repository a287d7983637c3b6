package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.pillars.BestSoFar;
import org.immunobench.evaluation.pillars.PillarMetrics;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The best-so-far curves a leaderboard page shows: those of its track, its attack family and the resistance pillar,
 * labelled like the table's rows (the defence, with the checkpoint id's first characters when a defence has several
 * checkpoints).
 *
 * @param curves every search's curve at ε ({@link org.immunobench.evaluation.pillars.SearchFigures#bestSoFar})
 * @param epsilon the budget the curves were computed at
 */
public record SearchCurves(List<BestSoFar> curves, double epsilon) {
    public static final SearchCurves NONE = new SearchCurves(List.of(), 0);

    public SearchCurves {
        curves = List.copyOf(curves);
    }

    /** Label → curve for the table of {@code track} and {@code attackFamily}; empty when no search ran there. */
    SortedMap<String, List<Double>> lines(String track, String attackFamily) {
        List<BestSoFar> in = curves.stream().filter(c -> c.pillar().equals("resistance")
                && c.attackFamily().equals(attackFamily) && c.track().equals(track)).toList();
        Map<String, Long> checkpoints = in.stream().collect(Collectors.groupingBy(BestSoFar::defence,
                Collectors.mapping(BestSoFar::checkpointId, Collectors.collectingAndThen(
                        Collectors.toCollection(TreeSet::new), s -> (long) s.size()))));
        SortedMap<String, List<Double>> out = new TreeMap<>();
        for (BestSoFar c : in) {
            String label = checkpoints.get(c.defence()) > 1 ? c.defence() + " (" + c.checkpointId().substring(0,
                    Math.min(RowLabels.ID_CHARS, c.checkpointId().length())) + ")" : c.defence();
            out.put(label, c.values());
        }
        return out;
    }

    /** ε as the metric names write it ({@code 5}, {@code 2.5}). */
    String epsilonText() {
        return PillarMetrics.boundedWorstCase(epsilon).substring(PillarMetrics.BOUNDED_WORST_CASE_PREFIX.length());
    }
}
