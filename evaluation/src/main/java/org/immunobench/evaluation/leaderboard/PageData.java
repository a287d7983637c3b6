package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.stats.StepCurves;

import java.util.List;
import java.util.SortedMap;

/**
 * What the HTML page draws besides the table: the run's curves (with 95% bands where the bootstrap gave them,
 * {@link org.immunobench.evaluation.stats.Bootstrap}), a few stored generations per checkpoint and judge
 * ({@link GenerationSamples}), and a sentence saying how the intervals were made.
 *
 * @param curves every curve of the run, keyed as {@link StepCurves} keys them
 * @param samples drill-down generations (empty when the run's generations are not at hand)
 * @param uncertainty how the intervals and bands were made, for the page
 */
public record PageData(SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> curves,
        List<GenerationSample> samples, String uncertainty) {

    public PageData {
        samples = List.copyOf(samples);
    }

    /** Curves without bands, no generations: what the metric rows alone give. */
    public static PageData of(List<MetricRow> metrics) {
        return new PageData(StepCurves.withoutBands(metrics), List.of(),
                "Intervals are over seeds only (mean ± 1.96 · sd / √seeds); no per-prompt bootstrap was run.");
    }
}
