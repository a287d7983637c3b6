package org.immunobench.evaluation.pillars;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The runs of one metric that one figure aggregates: grouped by (checkpoint, parent, defence, track, attack, judge)
 * and laid out as attack config → seed → curve. Each (config, seed) pair must come from a single task.
 *
 * @param subject the checkpoint, attack family and judge
 * @param configs attack config JSON → seed → that run's curve, both in sorted order
 */
record AttackGroup(Subject subject, SortedMap<String, SortedMap<Long, Curve>> configs) {

    /** The groups of {@code metric} curves among the runs of {@code pillar}, ordered by subject. */
    static List<AttackGroup> collect(List<Run> runs, String pillar, String metric) {
        Map<Subject, SortedMap<String, SortedMap<Long, Curve>>> groups = new TreeMap<>();
        for (Run r : runs) {
            if (!r.pillar().equals(pillar)) {
                continue;
            }
            for (Curve c : r.curves(metric)) {
                Subject s = Subject.of(r, r.attack(), c.judge());
                Curve clash = groups.computeIfAbsent(s, k -> new TreeMap<>())
                        .computeIfAbsent(r.config(), k -> new TreeMap<>()).putIfAbsent(r.seed(), c);
                if (clash != null) {
                    throw new IllegalArgumentException("tasks " + clash.taskId() + " and " + r.taskId()
                            + " both measure " + metric + " (judge " + c.judge() + ") of checkpoint "
                            + r.checkpointId() + " under " + r.attack() + " config " + r.config() + " with seed "
                            + r.seed() + ", step " + c.firstStep() + " on; one (config, seed) pair is one task");
                }
            }
        }
        List<AttackGroup> out = new ArrayList<>(groups.size());
        groups.forEach((s, configs) -> out.add(new AttackGroup(s, configs)));
        return out;
    }

    /** Smallest {@code nOf} over every run of the group. */
    long minN(ToLongFunction<Curve> nOf) {
        return configs.values().stream().flatMap(seeds -> seeds.values().stream()).mapToLong(nOf).min()
                .orElseThrow();
    }
}
