package org.immunobench.evaluation.leaderboard;

import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * The attack-steps axis: plotted at x = log2(1 + step), so the early steps where defences usually give way get room
 * and step 0 (the released checkpoint) sits at x = 0 instead of at −∞ as on a plain log axis. Ticks sit at the
 * measured steps and are labelled with the real step counts, thinned so labels do not collide.
 */
final class StepAxis extends NumberAxis {
    private static final long serialVersionUID = 1L;
    /** At most this many labels across the axis. */
    private static final int MAX_LABELS = 10;

    private final List<Integer> steps;

    StepAxis(String label, SortedSet<Integer> steps) {
        super(label);
        this.steps = List.copyOf(steps);
        double max = steps.isEmpty() ? 1 : Math.max(x(steps.last()), 1);
        setRange(-0.02 * max, max * 1.02);
    }

    /** The plotted x of a step. */
    static double x(int step) {
        return Math.log1p(step) / Math.log(2);
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        List<NumberTick> ticks = new ArrayList<>();
        double minGap = getRange().getLength() / MAX_LABELS;
        double last = Double.NEGATIVE_INFINITY;
        for (int step : steps) {
            double x = x(step);
            if (x - last >= minGap) {
                ticks.add(new NumberTick(x, Integer.toString(step), TextAnchor.TOP_CENTER, TextAnchor.CENTER, 0.0));
                last = x;
            }
        }
        return ticks;
    }
}
