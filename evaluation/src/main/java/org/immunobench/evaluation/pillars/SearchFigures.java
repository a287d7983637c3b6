package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The figures of hyper-parameter searches over attacks: one search is the trials of one (checkpoint, attack family,
 * pillar, judge); per search, {@link WorstCase worst_case} and, per budget ε, {@link BoundedWorstCase
 * bounded_worst_case_eps_ε}, as pillar rows of its pillar (resistance or generalisation), and the {@link BestSoFar}
 * curves. Pure, like {@link Pillars}: the same rows in any order give the same result.
 */
public final class SearchFigures {
    private static final String HARMFUL_RATE = "harmful_rate";
    private static final String BENIGN_ACCURACY = "benign_accuracy";

    private SearchFigures() {
    }

    /**
     * The trials in a search's metric rows (checked like every metric table, {@link Runs}). A trial is a task; its
     * points are the steps with a harmful rate, each of which needs the benign accuracy of the same step, and step 0
     * must be among them.
     *
     * @param indexOfTask trial (task) id → its index in its search
     * @throws IllegalArgumentException naming the task and step on bad input, or a task without an index
     */
    public static List<SearchTrial> trials(List<MetricRow> rows, Map<String, Integer> indexOfTask) {
        List<SearchTrial> out = new ArrayList<>();
        for (Run r : Runs.of(rows, Set.of(HARMFUL_RATE, BENIGN_ACCURACY))) {
            List<Curve> harm = r.curves(HARMFUL_RATE);
            if (harm.isEmpty()) {
                continue;
            }
            Integer index = indexOfTask.get(r.taskId());
            if (index == null) {
                throw new IllegalArgumentException("task " + r.taskId() + ": a search trial without a trial index");
            }
            if (!r.pillar().equals(Pillars.RESISTANCE) && !r.pillar().equals(Pillars.GENERALISATION)) {
                throw new IllegalArgumentException("task " + r.taskId() + ": search trials feed resistance or"
                        + " generalisation, not " + r.pillar());
            }
            List<Curve> benign = r.curves(BENIGN_ACCURACY);
            if (benign.size() != 1) {
                throw new IllegalArgumentException("task " + r.taskId() + ": a search trial needs one benign_accuracy"
                        + " curve (the drop's reference), found " + benign.size());
            }
            Curve acc = benign.get(0);
            for (Curve h : harm) {
                List<SearchTrial.Point> points = new ArrayList<>();
                for (int i = 0; i < h.size(); i++) {
                    int at = acc.indexOf(h.steps()[i]);
                    if (at < 0) {
                        throw new IllegalArgumentException("task " + r.taskId() + ", step " + h.steps()[i]
                                + ": harmful_rate without benign_accuracy; a search trial measures both");
                    }
                    points.add(new SearchTrial.Point(h.steps()[i], h.values()[i], acc.values()[at], h.ns()[i]));
                }
                out.add(new SearchTrial(r.defence(), r.track(), r.checkpointId(), r.parentId(), r.attack(),
                        r.pillar(), h.judge(), index, r.taskId(), points));
            }
        }
        return out;
    }

    /** worst_case and bounded_worst_case_eps_ε per search, ordered as {@link Pillars#ORDER}. */
    public static List<PillarRow> compute(List<SearchTrial> trials, List<Double> epsilons) {
        List<PillarRow> out = new ArrayList<>();
        for (Map.Entry<Key, List<SearchTrial>> g : searches(trials).entrySet()) {
            Subject s = g.getKey().subject();
            String pillar = g.getKey().pillar();
            out.add(s.row(pillar, PillarMetrics.WORST_CASE, WorstCase.of(g.getValue()), false));
            for (double eps : epsilons) {
                out.add(s.row(pillar, PillarMetrics.boundedWorstCase(eps), BoundedWorstCase.of(g.getValue(), eps),
                        false));
            }
        }
        out.sort(Pillars.ORDER);
        return List.copyOf(out);
    }

    /** The best-so-far curve of every search at budget ε, ordered by defence, checkpoint, family, pillar. */
    public static List<BestSoFar> bestSoFar(List<SearchTrial> trials, double epsilon) {
        List<BestSoFar> out = new ArrayList<>();
        searches(trials).values().forEach(t -> out.add(BestSoFar.of(t, epsilon)));
        return List.copyOf(out);
    }

    private record Key(Subject subject, String pillar) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = subject.compareTo(o.subject);
            return c != 0 ? c : pillar.compareTo(o.pillar);
        }
    }

    private static TreeMap<Key, List<SearchTrial>> searches(List<SearchTrial> trials) {
        TreeMap<Key, List<SearchTrial>> groups = new TreeMap<>();
        Map<Key, Map<Integer, String>> indices = new HashMap<>();
        for (SearchTrial t : trials) {
            Key k = new Key(t.subject(), t.pillar());
            String clash = indices.computeIfAbsent(k, x -> new HashMap<>()).putIfAbsent(t.index(), t.trialId());
            if (clash != null) {
                throw new IllegalArgumentException("tasks " + clash + " and " + t.trialId() + " are both trial "
                        + t.index() + " of the search on checkpoint " + t.checkpointId() + " under "
                        + t.attackFamily());
            }
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(t);
        }
        groups.values().forEach(l -> l.sort(Comparator.comparingInt(SearchTrial::index)));
        return groups;
    }
}
