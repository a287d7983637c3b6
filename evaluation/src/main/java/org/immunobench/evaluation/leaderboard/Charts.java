package org.immunobench.evaluation.leaderboard;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/** The two leaderboard figures, as PNG bytes. */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 520;

    /** The headline figure of each pillar, the bars of the overview. */
    static final List<String> HEADLINES = List.of("resistance.auc_harm_log_steps", "stability.delta_benign_accuracy",
            "generalisation.auc_harm_log_steps", "trainability.delta_task_accuracy_final");
    /**
     * Their directions, in the legend: the bars mix "less is better" harm with "more is better" accuracy deltas, and
     * a reader comparing bar heights needs to know which is which.
     */
    private static final List<String> HEADLINE_DIRECTIONS = List.of("lower is better", "higher is better",
            "lower is better", "higher is better");

    static {
        // Executors and CI machines have no display; without this AWT may try to reach one when fonts are measured.
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Harmful rate vs attack steps, one line per defence; x is log2(1 + step) labelled with real steps. */
    static byte[] harmVsSteps(SortedMap<String, SortedMap<Integer, Double>> curves, String attackFamily) {
        XYSeriesCollection data = new XYSeriesCollection();
        TreeSet<Integer> steps = new TreeSet<>();
        curves.forEach((defence, curve) -> {
            XYSeries s = new XYSeries(defence, true, false);
            curve.forEach((step, rate) -> s.add(StepAxis.x(step), rate));
            steps.addAll(curve.keySet());
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Harmful rate vs attack steps (" + attackFamily + ")",
                null, "harmful rate (mean over configs and seeds)", data, PlotOrientation.VERTICAL, true, false,
                false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(new StepAxis("attack steps (log scale: plotted at log2(1 + step))", steps));
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setRange(0, 1.02);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return png(chart);
    }

    /**
     * The best-so-far curves of hyper-parameter searches: one line per defence, x = trials run (in the order they
     * were started), y = the highest harm among the models within ε points of benign accuracy so far.
     */
    static byte[] bestSoFar(SortedMap<String, List<Double>> curves, String attackFamily, String epsilon) {
        XYSeriesCollection data = new XYSeriesCollection();
        curves.forEach((label, values) -> {
            XYSeries s = new XYSeries(label, true, false);
            for (int i = 0; i < values.size(); i++) {
                s.add(i + 1, values.get(i));
            }
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Best harm so far within " + epsilon
                + " points of benign accuracy (" + attackFamily + " search)", "trials run",
                "highest harmful rate at benign-accuracy drop ≤ " + epsilon, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setRange(0, 1.02);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return png(chart);
    }

    /**
     * Grouped bars: one group per leaderboard row, one bar per pillar headline. Missing and non-finite figures are
     * left out rather than drawn as zero, which would read as a measurement.
     */
    static byte[] pillarOverview(LeaderboardTable table) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (LeaderboardRow r : table.rows()) {
            for (int i = 0; i < HEADLINES.size(); i++) {
                Double v = r.value(HEADLINES.get(i));
                String series = LeaderboardColumn.ofKey(HEADLINES.get(i)).header() + " (" + HEADLINE_DIRECTIONS.get(i)
                        + ")";
                data.addValue(v == null || !Double.isFinite(v) ? null : v, series, r.label());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Pillar overview (headline figure per pillar)", null,
                "value", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        style(chart);
        return png(chart);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
    }

    private static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart '" + chart.getTitle().getText() + "'", e);
        }
        return out.toByteArray();
    }

    /** {@code data:image/png;base64,…}: the chart inside the HTML, so the page needs no other file or network. */
    static String dataUri(byte[] png) {
        return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png);
    }
}
