package org.immunobench.curation.report;

import org.immunobench.curation.perplexity.BucketScheme;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log bins and the PNG: a valid image of the fixed size with bars where the counts are. */
class HistogramPngTest {
    @Test
    void logBinsClampAndCollapse() {
        LogBins b = new LogBins(1, 1000, 3);
        assertEquals(0, b.index(1));
        assertEquals(0, b.index(9.99));
        assertEquals(1, b.index(10.01));
        assertEquals(2, b.index(1000));
        assertEquals(2, b.index(1e9));
        assertEquals(0, b.index(0.5));
        assertEquals(100, b.edge(2), 1e-9);
        assertEquals(0, new LogBins(5, 5, 4).index(5));
    }

    @Test
    void ticksAreRoundNumbers() {
        assertEquals(List.of(10.0, 100.0, 1000.0), HistogramPng.logTicks(5, 2000));
        assertEquals(List.of(15.0, 20.0, 30.0, 50.0), HistogramPng.logTicks(12, 60));
        assertEquals(200, HistogramPng.niceCeil(130));
        assertEquals("12.3", HistogramPng.fmtValue(12.345));
    }

    @Test
    void rendersAPng() throws Exception {
        Map<String, long[]> counts = new LinkedHashMap<>();
        counts.put("head", new long[]{5, 3, 0, 0});
        counts.put("middle", new long[]{0, 4, 2, 0});
        counts.put("tail", new long[]{0, 0, 3, 9});
        counts.put(BucketScheme.SMALL_GROUP, new long[]{1, 0, 0, 0});
        PplHistogram h = new PplHistogram("toy", 27, 2, new LogBins(2, 200, 4), counts,
                List.of(new PplHistogram.CutoffLine(0, 30, 6, "a"), new PplHistogram.CutoffLine(1, 60, 40, "a"),
                        new PplHistogram.CutoffLine(0, 30, 7, "b"), new PplHistogram.CutoffLine(1, 60, 50, "b")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HistogramPng.write(h, BucketScheme.SMALL_GROUP, out);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(HistogramPng.WIDTH, img.getWidth());
        assertEquals(HistogramPng.HEIGHT, img.getHeight());
        int coloured = 0;
        for (int x = 0; x < img.getWidth(); x += 3) {
            for (int y = 0; y < img.getHeight(); y += 3) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 500, "bars drawn: " + coloured + " coloured samples");
        boolean title = false;
        for (int x = 80; x < 400 && !title; x++) {
            for (int y = 14; y < 34; y++) {
                title |= (img.getRGB(x, y) & 0xFFFFFF) == 0;
            }
        }
        assertTrue(title, "title drawn");
    }
}
