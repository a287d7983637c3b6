package org.immunobench.curation.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link PplHistogram} as a PNG with plain Java 2D, headless: log-scaled x axis with decade (and 2×, 5×)
 * ticks, stacked bars coloured by bucket, a dashed line per bucketed group at each cut-off, a title with n.
 * Not a plotting library: one chart type, fixed size.
 */
public final class HistogramPng {
    public static final int WIDTH = 960;
    public static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 210;
    private static final int TOP = 56;
    private static final int BOTTOM = 64;
    private static final Color[] BUCKET_COLOURS = {new Color(0x2E8B57), new Color(0x4682B4), new Color(0xE69F00),
        new Color(0x8E44AD), new Color(0xC0392B), new Color(0x16A085)};
    private static final Color SMALL_GROUP_COLOUR = new Color(0x9E9E9E);
    private static final Color[] CUTOFF_COLOURS = {new Color(0xB35806), new Color(0x7F0000), new Color(0x2D004B),
        new Color(0x00441B)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private HistogramPng() {
    }

    /**
     * @param smallGroupLabel the label of rows whose group was too small to bucket (drawn grey)
     */
    public static void write(PplHistogram h, String smallGroupLabel, OutputStream out) throws IOException {
        if (!ImageIO.write(render(h, smallGroupLabel), "png", out)) {
            throw new IOException("no PNG writer available");
        }
    }

    public static BufferedImage render(PplHistogram h, String smallGroupLabel) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(g, h, smallGroupLabel);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void draw(Graphics2D g, PplHistogram h, String smallGroupLabel) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        LogBins bins = h.bins();
        double lo = bins.edge(0);
        double hi = bins.edge(bins.bins());
        if (hi <= lo) {
            lo = lo / 1.5;
            hi = hi * 1.5;
        }
        Axis x = new Axis(Math.log(lo), Math.log(hi), LEFT, plotW);
        long maxCount = 1;
        for (int i = 0; i < bins.bins(); i++) {
            maxCount = Math.max(maxCount, h.total(i));
        }
        double yMax = niceCeil(maxCount);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString("Perplexity of " + h.source() + " (n=" + h.n() + ", " + h.domains() + " domain"
                + (h.domains() == 1 ? "" : "s") + ")", LEFT, 30);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // y grid and ticks
        for (int t = 0; t <= 5; t++) {
            double v = yMax * t / 5;
            int y = TOP + plotH - (int) Math.round(v / yMax * plotH);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.BLACK);
            String label = formatCount(v);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        // stacked bars
        List<String> labels = new ArrayList<>(h.counts().keySet());
        boolean hiLoCollapsed = bins.edge(bins.bins()) <= bins.edge(0);
        for (int i = 0; i < bins.bins(); i++) {
            int x0 = hiLoCollapsed ? LEFT : x.pixel(Math.log(bins.edge(i)));
            int x1 = hiLoCollapsed ? LEFT + plotW : x.pixel(Math.log(bins.edge(i + 1)));
            long below = 0;
            for (int k = 0; k < labels.size(); k++) {
                long c = h.counts().get(labels.get(k))[i];
                if (c == 0) {
                    continue;
                }
                int yTop = TOP + plotH - (int) Math.round((below + c) / yMax * plotH);
                int yBottom = TOP + plotH - (int) Math.round(below / yMax * plotH);
                g.setColor(colour(labels.get(k), k, smallGroupLabel));
                g.fillRect(x0, yTop, Math.max(1, x1 - x0 - 1), Math.max(1, yBottom - yTop));
                below += c;
            }
        }
        // cut-off lines
        Stroke solid = g.getStroke();
        int groups = (int) h.cutoffs().stream().map(PplHistogram.CutoffLine::domain).distinct().count();
        int alpha = groups <= 1 ? 255 : Math.max(60, 255 / Math.min(groups, 8) + 40);
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0));
        for (PplHistogram.CutoffLine c : h.cutoffs()) {
            if (c.value() <= 0) {
                continue;
            }
            Color base = CUTOFF_COLOURS[c.index() % CUTOFF_COLOURS.length];
            g.setColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), alpha));
            int px = x.pixel(Math.log(c.value()));
            g.drawLine(px, TOP, px, TOP + plotH);
            if (groups == 1) {
                String label = "p" + fmtPercent(c.percent()) + " = " + fmtValue(c.value());
                g.drawString(label, Math.min(px + 4, LEFT + plotW - fm.stringWidth(label)), TOP + 14 + 14 * c.index());
            }
        }
        g.setStroke(solid);
        // axes
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);
        for (double tick : logTicks(lo, hi)) {
            int px = x.pixel(Math.log(tick));
            g.drawLine(px, TOP + plotH, px, TOP + plotH + 5);
            String label = fmtValue(tick);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 8 + fm.getAscent());
        }
        String xLabel = "perplexity (log scale)";
        g.drawString(xLabel, LEFT + plotW / 2 - fm.stringWidth(xLabel) / 2, HEIGHT - 18);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("rows", -(TOP + plotH / 2) - fm.stringWidth("rows") / 2, 22);
        g.setTransform(saved);
        // legend
        int ly = TOP + 4;
        int lx = LEFT + plotW + 20;
        for (int k = 0; k < labels.size(); k++) {
            long n = 0;
            for (long c : h.counts().get(labels.get(k))) {
                n += c;
            }
            g.setColor(colour(labels.get(k), k, smallGroupLabel));
            g.fillRect(lx, ly, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(labels.get(k) + " (" + n + ")", lx + 20, ly + 12);
            ly += 20;
        }
        List<Double> percents = h.cutoffs().stream().map(PplHistogram.CutoffLine::percent).distinct().sorted()
                .toList();
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0));
        for (PplHistogram.CutoffLine c : h.cutoffs().stream().filter(distinctIndex()).toList()) {
            g.setColor(CUTOFF_COLOURS[c.index() % CUTOFF_COLOURS.length]);
            g.drawLine(lx, ly + 7, lx + 14, ly + 7);
            g.setColor(Color.BLACK);
            g.drawString("p" + fmtPercent(c.percent()) + " cut-off", lx + 20, ly + 12);
            ly += 20;
        }
        g.setStroke(solid);
        if (!percents.isEmpty()) {
            g.drawString("dashed: one line per", lx, ly + 12);
            g.drawString("(source, domain) group; " + groups, lx, ly + 28);
        } else {
            g.drawString("no group large enough", lx, ly + 12);
            g.drawString("to bucket", lx, ly + 28);
        }
    }

    private static java.util.function.Predicate<PplHistogram.CutoffLine> distinctIndex() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        return c -> seen.add(c.index());
    }

    private static Color colour(String label, int k, String smallGroupLabel) {
        return label.equals(smallGroupLabel) ? SMALL_GROUP_COLOUR : BUCKET_COLOURS[k % BUCKET_COLOURS.length];
    }

    /** Tick values: powers of ten in range, plus 2× and 5× when there are fewer than three, else log-even. */
    static List<Double> logTicks(double lo, double hi) {
        List<Double> ticks = new ArrayList<>();
        for (double[] mult : new double[][]{{1}, {1, 2, 5}, {1, 1.5, 2, 3, 5, 7}}) {
            ticks.clear();
            for (int e = (int) Math.floor(Math.log10(lo)) - 1; e <= (int) Math.ceil(Math.log10(hi)) + 1; e++) {
                for (double m : mult) {
                    double v = m * Math.pow(10, e);
                    if (v >= lo && v <= hi) {
                        ticks.add(v);
                    }
                }
            }
            if (ticks.size() >= 3) {
                return ticks;
            }
        }
        ticks.clear();
        for (int i = 0; i <= 4; i++) {
            ticks.add(Math.exp(Math.log(lo) + i * (Math.log(hi) - Math.log(lo)) / 4));
        }
        return ticks;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String fmtValue(double v) {
        if (v >= 1e5 || v < 1e-2) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static String fmtPercent(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    private static String formatCount(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Maps an axis value to a pixel. */
    private record Axis(double min, double max, int offset, int length) {
        int pixel(double v) {
            double f = (v - min) / (max - min);
            return offset + (int) Math.round(Math.max(0, Math.min(1, f)) * length);
        }
    }
}
