package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.PillarRow;

import java.util.Comparator;

/**
 * What a pillar figure is about: a checkpoint (with its defence, parent and track), an attack family ({@code none}
 * for stability) and the judge of the rows it comes from.
 */
record Subject(String defence, String track, String checkpointId, String parentId, String attackFamily,
        String judge) implements Comparable<Subject> {
    private static final Comparator<Subject> ORDER = Comparator.comparing(Subject::defence)
            .thenComparing(Subject::checkpointId).thenComparing(Subject::attackFamily)
            .thenComparing(Subject::track).thenComparing(Subject::judge).thenComparing(Subject::parentId);

    static Subject of(Run r, String attackFamily, String judge) {
        return new Subject(r.defence(), r.track(), r.checkpointId(), r.parentId(), attackFamily, judge);
    }

    PillarRow row(String pillar, String metric, Figure f, boolean higherIsBetter) {
        return new PillarRow(defence, track, checkpointId, parentId, attackFamily, pillar, metric, f.value(), f.n(),
                f.nSeeds(), f.spread(), f.ciLow(), f.ciHigh(), judge, higherIsBetter, f.seedMin(), f.seedMax(),
                Double.isNaN(f.ciLow()) ? PillarRow.CI_NONE : PillarRow.CI_SEED_NORMAL, 0);
    }

    @Override
    public int compareTo(Subject o) {
        return ORDER.compare(this, o);
    }
}
