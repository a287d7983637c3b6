package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.PillarRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * From the tidy metric rows of a run to its pillar rows: the four immunisation conditions of Rosati et al.
 * (arXiv 2402.16382) — resistance and generalisation ({@link AttackFigures}), stability ({@link Stability}),
 * trainability ({@link Trainability}). Pure: no I/O, no Spark; the same rows in any order give the same list.
 *
 * <p>A run of an attack is the rows of one task id: one attack with one hyper-parameter config and one seed, its
 * curve the metric value per step. Figures aggregate over configs and seeds as each computation's class comment
 * says; every row carries n (smallest n of the rows read), nSeeds, spread (sample std over seeds, 0 with one seed),
 * a 95% interval (centre ± 1.96 · spread / √nSeeds when nSeeds ≥ 2 and the value is finite, else NaN), and the
 * judge and track of its rows. Metric names are in {@link PillarMetrics}.
 *
 * <p>Bad input ({@link Runs}: duplicate measurements, NaN harm, inconsistent tasks; a harm curve without step 0;
 * one (config, seed) in two tasks; an ambiguous baseline) is an {@link IllegalArgumentException} naming the task
 * and step.
 */
public final class Pillars {
    /** Output order: defence, checkpoint, pillar, attack family, metric (then track, judge, parent). */
    public static final Comparator<PillarRow> ORDER = Comparator.comparing(PillarRow::defence)
            .thenComparing(PillarRow::checkpointId).thenComparing(PillarRow::pillar)
            .thenComparing(PillarRow::attackFamily).thenComparing(PillarRow::metric)
            .thenComparing(PillarRow::track).thenComparing(PillarRow::judge).thenComparing(PillarRow::parentId);

    public static final String RESISTANCE = "resistance";
    public static final String GENERALISATION = "generalisation";
    public static final String STABILITY = Stability.PILLAR;
    public static final String TRAINABILITY = Trainability.PILLAR;

    private Pillars() {
    }

    public static List<PillarRow> compute(List<MetricRow> rows, PillarsConfig cfg) {
        if (cfg == null) {
            throw new IllegalArgumentException("pillars: config must not be null (PillarsConfig.defaults())");
        }
        Set<String> checked = new TreeSet<>(PillarMetrics.STABILITY_METRICS);
        checked.add(AttackFigures.HARMFUL_RATE);
        checked.add(AttackFigures.HARMFUL_NLL);
        checked.add(cfg.trainabilityMetric());
        List<Run> runs = Runs.of(rows, checked);
        Baselines baselines = Baselines.of(runs);
        List<PillarRow> out = new ArrayList<>();
        out.addAll(AttackFigures.compute(runs, RESISTANCE, cfg.phi()));
        out.addAll(AttackFigures.compute(runs, GENERALISATION, cfg.phi()));
        out.addAll(Stability.compute(runs, baselines));
        out.addAll(Trainability.compute(runs, baselines, cfg.trainabilityMetric()));
        out.sort(ORDER);
        return List.copyOf(out);
    }
}
