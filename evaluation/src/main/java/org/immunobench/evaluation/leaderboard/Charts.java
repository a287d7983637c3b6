package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.stats.StepCurves;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/** The leaderboard's figures, as PNG bytes. */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 520;
    static final int SMALL_WIDTH = 620;
    static final int SMALL_HEIGHT = 360;

    /** The headline figure of each pillar, the bars of the overview. */
    static final List<String> HEADLINES = List.of("resistance.auc_harm_log_steps", "stability.delta_benign_accuracy",
            "generalisation.auc_harm_log_steps", "trainability.delta_task_accuracy_final");
    /**
     * Their directions, in the legend: the bars mix "less is better" harm with "more is better" accuracy deltas, and
     * a reader comparing bar heights needs to know which is which.
     */
    private static final List<String> HEADLINE_DIRECTIONS = List.of("lower is better", "higher is better",
            "lower is better", "higher is better");
    /** Distinct colours in a fixed order, so a defence keeps its colour across reruns of the same table. */
    private static final Paint[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    static {
        // Executors and CI machines have no display; without this AWT may try to reach one when fonts are measured.
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Harmful rate vs attack steps, one line per defence, with its 95% band where there is one. */
    static byte[] harmVsSteps(SortedMap<String, SortedMap<Integer, StepCurves.Point>> curves, String attackFamily) {
        return png(steps("Harmful rate vs attack steps (" + attackFamily + ")",
                "harmful rate (mean over configs and seeds)", curves, 1.02), WIDTH, HEIGHT);
    }

    /** A drill-down figure: named curves against attack steps, bands where there are, y from 0 to yMax (NaN: auto). */
    static byte[] small(String title, String yLabel, Map<String, SortedMap<Integer, StepCurves.Point>> curves,
            double yMax) {
        return png(steps(title, yLabel, curves, yMax), SMALL_WIDTH, SMALL_HEIGHT);
    }

    /**
     * Lines against x = log2(1 + step) ({@link StepAxis}) with a translucent band from each point's low to high end
     * (a DeviationRenderer band; a point without a band has a band of zero width, i.e. none).
     */
    private static JFreeChart steps(String title, String yLabel,
            Map<String, ? extends SortedMap<Integer, StepCurves.Point>> curves, double yMax) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        TreeSet<Integer> steps = new TreeSet<>();
        curves.forEach((name, curve) -> {
            YIntervalSeries s = new YIntervalSeries(name, true, false);
            curve.forEach((step, p) -> {
                double low = p.hasBand() && Double.isFinite(p.low()) ? p.low() : p.mean();
                double high = p.hasBand() && Double.isFinite(p.high()) ? p.high() : p.mean();
                s.add(StepAxis.x(step), p.mean(), low, high);
            });
            steps.addAll(curve.keySet());
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, null, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(new StepAxis("attack steps (log scale: plotted at log2(1 + step))", steps));
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        if (!Double.isNaN(yMax)) {
            y.setRange(0, yMax);
        } else {
            y.setAutoRangeIncludesZero(true);
        }
        DeviationRenderer renderer = new DeviationRenderer(true, true);
        renderer.setAlpha(0.18f);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            Paint paint = PALETTE[i % PALETTE.length];
            renderer.setSeriesPaint(i, paint);
            renderer.setSeriesFillPaint(i, paint);
            // Past ten series colours repeat: dashes tell them apart.
            renderer.setSeriesStroke(i, i < PALETTE.length ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(renderer);
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
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
        return png(chart, WIDTH, HEIGHT);
    }

    /**
     * Grouped bars: one group per leaderboard row, one bar per pillar headline, a whisker over each bar from its
     * ci_low to ci_high when both are finite. Missing and non-finite figures are left out rather than drawn as zero,
     * which would read as a measurement.
     */
    static byte[] pillarOverview(LeaderboardTable table) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, double[]> whiskers = new HashMap<>();
        for (LeaderboardRow r : table.rows()) {
            for (int i = 0; i < HEADLINES.size(); i++) {
                String key = HEADLINES.get(i);
                Double v = r.value(key);
                String series = LeaderboardColumn.ofKey(key).header() + " (" + HEADLINE_DIRECTIONS.get(i) + ")";
                data.addValue(v == null || !Double.isFinite(v) ? null : v, series, r.label());
                PillarRow figure = table.figure(r, key);
                if (figure != null && Double.isFinite(figure.ciLow()) && Double.isFinite(figure.ciHigh())) {
                    whiskers.put(series + '\u0000' + r.label(), new double[] {figure.ciLow(), figure.ciHigh()});
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Pillar overview (headline figure per pillar, 95% interval)",
                null, "value", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        fitRange((NumberAxis) plot.getRangeAxis(), data, whiskers.values());
        WhiskerBars renderer = new WhiskerBars(whiskers);
        for (int i = 0; i < HEADLINES.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i]);
        }
        renderer.setShadowVisible(false);
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        style(chart);
        return png(chart, WIDTH, HEIGHT);
    }

    /** The value axis from the lowest to the highest bar or whisker end, zero included, with a 5% margin. */
    private static void fitRange(NumberAxis axis, DefaultCategoryDataset data, java.util.Collection<double[]> ci) {
        double lo = 0;
        double hi = 0;
        for (int r = 0; r < data.getRowCount(); r++) {
            for (int c = 0; c < data.getColumnCount(); c++) {
                Number v = data.getValue(r, c);
                if (v != null) {
                    lo = Math.min(lo, v.doubleValue());
                    hi = Math.max(hi, v.doubleValue());
                }
            }
        }
        for (double[] w : ci) {
            lo = Math.min(lo, w[0]);
            hi = Math.max(hi, w[1]);
        }
        double margin = Math.max(hi - lo, 1e-6) * 0.05;
        axis.setRange(lo - (lo < 0 ? margin : 0), hi + margin);
    }

    /** Bars with an interval whisker drawn over each bar that has one (JFreeChart's bars have no asymmetric one). */
    private static final class WhiskerBars extends BarRenderer {
        private static final long serialVersionUID = 1L;
        private final Map<String, double[]> whiskers;

        WhiskerBars(Map<String, double[]> whiskers) {
            this.whiskers = whiskers;
        }

        @Override
        public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row, int column,
                int pass) {
            super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
            int visibleRow = state.getVisibleSeriesIndex(row);
            double[] ci = whiskers.get(dataset.getRowKey(row) + "\u0000" + dataset.getColumnKey(column));
            if (visibleRow < 0 || ci == null || dataset.getValue(row, column) == null) {
                return;
            }
            double w0 = calculateBarW0(plot, plot.getOrientation(), dataArea, domainAxis, state, visibleRow, column);
            double x = w0 + state.getBarWidth() / 2;
            double half = Math.max(2, state.getBarWidth() / 4);
            double lo = rangeAxis.valueToJava2D(ci[0], dataArea, plot.getRangeAxisEdge());
            double hi = rangeAxis.valueToJava2D(ci[1], dataArea, plot.getRangeAxisEdge());
            g2.setPaint(Color.BLACK);
            g2.setStroke(new BasicStroke(1.2f));
            g2.draw(new Line2D.Double(x, lo, x, hi));
            g2.draw(new Line2D.Double(x - half, lo, x + half, lo));
            g2.draw(new Line2D.Double(x - half, hi, x + half, hi));
        }
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
    }

    private static byte[] png(JFreeChart chart, int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
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
