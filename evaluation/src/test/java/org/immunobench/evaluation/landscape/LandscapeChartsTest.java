package org.immunobench.evaluation.landscape;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LandscapeChartsTest {
    private static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void aHeatmapRendersWithGapsAndMarks() throws IOException {
        double[] a = {-1, 0, 1};
        double[] b = {-1, 0, 1};
        double[] z = {0.1, 0.2, 0.3, 0.4, 0.0, Double.NaN, 0.7, 0.8, 0.9};
        BufferedImage img = decode(LandscapeCharts.heatmap("harm", "a test", "a", "b", "harmful rate", a, b, z, 0, 1,
                LandscapeCharts.marks("aligned", "attacked", null)));
        assertEquals(LandscapeCharts.WIDTH, img.getWidth());
        assertEquals(LandscapeCharts.HEIGHT, img.getHeight());
        assertThrows(IllegalArgumentException.class,
                () -> LandscapeCharts.heatmap("x", null, "a", "b", "z", a, b, new double[4], 0, 1));
    }

    @Test
    void aLineChartRenders() throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("harmful rate", new double[]{0, 0.5, 1});
        series.put("refusal rate", new double[]{1, Double.NaN, 0});
        BufferedImage img = decode(LandscapeCharts.line("rates", "a test", "α", "rate", new double[]{0, 0.5, 1}, series,
                new double[]{0, 1}, Map.of(0.0, "aligned", 1.0, "attacked")));
        assertEquals(LandscapeCharts.WIDTH, img.getWidth());
    }

    @Test
    void theColourScaleRunsFromDarkToLightAndGreysOutMissingValues() {
        LandscapeCharts.Viridis v = new LandscapeCharts.Viridis(0, 1);
        assertEquals(new Color(68, 1, 84), v.getPaint(0));
        assertEquals(new Color(253, 231, 37), v.getPaint(1));
        assertEquals(new Color(253, 231, 37), v.getPaint(5), "values above the range are clamped");
        assertEquals(LandscapeCharts.MISSING, v.getPaint(Double.NaN));
        assertNotEquals(v.getPaint(0.3), v.getPaint(0.6));
    }
}
