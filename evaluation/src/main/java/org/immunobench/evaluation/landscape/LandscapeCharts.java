package org.immunobench.evaluation.landscape;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The landscape figures as PNG bytes (JFreeChart, headless): a line chart for a 1-D slice (one line per metric
 * against the coordinate α) and a heatmap for a 2-D slice (one metric over the (a, b) grid, colour scale on the
 * right). Marked points (the origin, a target checkpoint at coordinate 1) are labelled on the plot.
 */
public final class LandscapeCharts {
    static final int WIDTH = 760;
    static final int HEIGHT = 560;
    /** Grid cells whose value is not finite (a diverged point) are drawn in this colour, not as a measurement. */
    static final Color MISSING = new Color(200, 200, 200);

    static {
        // Executors and CI machines have no display.
        System.setProperty("java.awt.headless", "true");
    }

    private LandscapeCharts() {
    }

    /** A label at a point of the plot, e.g. "aligned" at (0, 0). */
    public record Mark(String label, double x, double y) {
    }

    /**
     * Lines over a 1-D slice: {@code series} maps a legend label to one value per x; non-finite values are gaps.
     *
     * @param yRange {lo, hi} for the value axis, or null to fit the data
     */
    public static byte[] line(String title, String subtitle, String xLabel, String yLabel, double[] x,
            Map<String, double[]> series, double[] yRange, Map<Double, String> xMarks) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((label, y) -> {
            if (y.length != x.length) {
                throw new IllegalArgumentException("series " + label + " has " + y.length + " values for " + x.length
                        + " coordinates");
            }
            XYSeries s = new XYSeries(label, true, false);
            for (int i = 0; i < x.length; i++) {
                s.add(x[i], Double.isFinite(y[i]) ? Double.valueOf(y[i]) : null);
            }
            data.addSeries(s);
        });
        NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setAutoRangeIncludesZero(false);
        NumberAxis yAxis = new NumberAxis(yLabel);
        yAxis.setAutoRangeIncludesZero(false);
        if (yRange != null) {
            yAxis.setRange(yRange[0], yRange[1]);
        }
        XYPlot plot = new XYPlot(data, xAxis, yAxis, new XYLineAndShapeRenderer(true, true));
        xMarks.forEach((at, label) -> {
            plot.addDomainMarker(new org.jfree.chart.plot.ValueMarker(at, Color.GRAY, new java.awt.BasicStroke(1f)));
            XYTextAnnotation a = new XYTextAnnotation(" " + label + " ", at,
                    yRange == null ? finiteMax(series) : yRange[1]);
            // A mark in the right half is labelled to its left, so the label stays inside the plot.
            a.setTextAnchor(at > (x[0] + x[x.length - 1]) / 2 ? org.jfree.chart.ui.TextAnchor.TOP_RIGHT
                    : org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            plot.addAnnotation(a);
        });
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        subtitle(chart, subtitle);
        style(chart, plot);
        return png(chart);
    }

    /**
     * A heatmap of {@code z} over the grid a × b: {@code z[j · a.length + i]} is the value at (a[i], b[j]). The
     * colour scale spans [zLo, zHi] (the data's finite range when both are NaN).
     */
    public static byte[] heatmap(String title, String subtitle, String aLabel, String bLabel, String zLabel,
            double[] a, double[] b, double[] z, double zLo, double zHi, Mark... marks) {
        if (z.length != a.length * b.length) {
            throw new IllegalArgumentException("heatmap: " + z.length + " values for a " + a.length + " × "
                    + b.length + " grid");
        }
        if (Double.isNaN(zLo) || Double.isNaN(zHi)) {
            double[] finite = Arrays.stream(z).filter(Double::isFinite).toArray();
            zLo = finite.length == 0 ? 0 : Arrays.stream(finite).min().getAsDouble();
            zHi = finite.length == 0 ? 1 : Arrays.stream(finite).max().getAsDouble();
        }
        if (!(zHi > zLo)) {
            zHi = zLo + 1e-9;
        }
        double[][] xyz = new double[3][z.length];
        for (int j = 0; j < b.length; j++) {
            for (int i = 0; i < a.length; i++) {
                int k = j * a.length + i;
                xyz[0][k] = a[i];
                xyz[1][k] = b[j];
                xyz[2][k] = z[k];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(zLabel, xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(spacing(a));
        renderer.setBlockHeight(spacing(b));
        renderer.setBlockAnchor(RectangleAnchor.CENTER);
        Viridis scale = new Viridis(zLo, zHi);
        renderer.setPaintScale(scale);
        NumberAxis xAxis = new NumberAxis(aLabel);
        xAxis.setRange(a[0] - spacing(a) / 2, a[a.length - 1] + spacing(a) / 2);
        NumberAxis yAxis = new NumberAxis(bLabel);
        yAxis.setRange(b[0] - spacing(b) / 2, b[b.length - 1] + spacing(b) / 2);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        double middle = (a[0] + a[a.length - 1]) / 2;
        for (Mark m : marks) {
            // The dot sits on the point; its label beside it, towards the middle so it stays inside the plot.
            XYTextAnnotation dot = new XYTextAnnotation("●", m.x(), m.y());
            dot.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            dot.setPaint(Color.WHITE);
            dot.setTextAnchor(org.jfree.chart.ui.TextAnchor.CENTER);
            plot.addAnnotation(dot);
            XYTextAnnotation t = new XYTextAnnotation(" " + m.label() + " ", m.x(), m.y());
            t.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            t.setPaint(Color.WHITE);
            t.setBackgroundPaint(new Color(0, 0, 0, 110));
            t.setTextAnchor(m.x() > middle ? org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT
                    : org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
            plot.addAnnotation(t);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        subtitle(chart, subtitle);
        NumberAxis legendAxis = new NumberAxis(zLabel);
        legendAxis.setRange(zLo, zHi);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        legend.setStripWidth(16);
        chart.addSubtitle(legend);
        style(chart, plot);
        return png(chart);
    }

    /** Marks for the origin and for checkpoint axes at coordinate 1 (null labels are skipped). */
    public static Mark[] marks(String origin, String axis1At1, String axis2At1) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(origin, new double[]{0, 0});
        if (axis1At1 != null) {
            m.put(axis1At1, new double[]{1, 0});
        }
        if (axis2At1 != null) {
            m.put(axis2At1, new double[]{0, 1});
        }
        return m.entrySet().stream().map(e -> new Mark(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .toArray(Mark[]::new);
    }

    /** What the figure is about (names, specs) in a smaller font under the title; long text wraps. */
    private static void subtitle(JFreeChart chart, String text) {
        if (text != null && !text.isBlank()) {
            chart.addSubtitle(new org.jfree.chart.title.TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
    }

    private static double spacing(double[] v) {
        return v.length < 2 ? 1 : (v[v.length - 1] - v[0]) / (v.length - 1);
    }

    private static double finiteMax(Map<String, double[]> series) {
        return series.values().stream().flatMapToDouble(Arrays::stream).filter(Double::isFinite).max().orElse(1);
    }

    private static void style(JFreeChart chart, XYPlot plot) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
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

    /**
     * A perceptually even colour scale (a few anchor colours of matplotlib's viridis, linearly interpolated), so
     * equal steps in value look like equal steps in colour; non-finite values are grey.
     */
    static final class Viridis implements PaintScale {
        private static final int[][] ANCHORS = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98},
            {253, 231, 37}};
        private final double lo;
        private final double hi;

        Viridis(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public Paint getPaint(double value) {
            if (!Double.isFinite(value)) {
                return MISSING;
            }
            double t = Math.max(0, Math.min(1, (value - lo) / (hi - lo))) * (ANCHORS.length - 1);
            int k = Math.min((int) Math.floor(t), ANCHORS.length - 2);
            double f = t - k;
            int[] c0 = ANCHORS[k];
            int[] c1 = ANCHORS[k + 1];
            return new Color((int) Math.round(c0[0] + f * (c1[0] - c0[0])), (int) Math.round(c0[1] + f * (c1[1]
                    - c0[1])), (int) Math.round(c0[2] + f * (c1[2] - c0[2])));
        }
    }
}
