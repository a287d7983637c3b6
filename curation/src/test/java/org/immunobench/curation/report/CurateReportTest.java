package org.immunobench.curation.report;

import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.accounting.StageCounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's accounting check and its two renderings. */
class CurateReportTest {
    private static CurateReport report(CurateReport.Accounting... rows) {
        StageCounts read = new StageCounts("read", List.of(new SourceCounts("a", 10, 8, 1, Map.of("blank line", 1L))));
        return new CurateReport(Map.of("code_version", "test"), Map.of("out", "o"),
                List.of(new StageReport("read + validate", read, 1.5, List.of("a note")),
                        StageReport.skipped("perplexity", "no reference_model")),
                List.of(rows), Map.of("a", Map.of("row: invalid UTF-8 at byte #", 1L)), 0, List.of(),
                CurateReport.PerplexitySummary.skipped("no reference_model: skipped."), List.of("report.md",
                        "ppl_a.png"));
    }

    @Test
    void holdsOnlyWhenEverySourceAddsUp() {
        CurateReport ok = report(new CurateReport.Accounting("a", 10, 6, 1, Map.of("blank line", 1L,
                "exact_duplicate_of", 2L)));
        assertTrue(ok.holds());
        assertEquals(10, ok.total().rowsIn());
        String md = ok.toMarkdown();
        assertTrue(md.contains("| a | 10 | 6 | 1 | 3 | blank line 1, exact_duplicate_of 2 | yes |"), md);
        assertTrue(md.contains("### 2. perplexity (skipped)"), md);
        assertTrue(md.contains("![ppl_a.png](ppl_a.png)"), md);
        assertEquals(true, ((Map<?, ?>) ok.toJson().get("accounting")).get("holds"));

        CurateReport broken = report(new CurateReport.Accounting("a", 10, 6, 1, Map.of("blank line", 1L)));
        assertFalse(broken.holds());
        assertTrue(broken.toMarkdown().contains("**BROKEN**"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> broken.accounting().get(0).toCounts());
        assertTrue(e.getMessage().contains("off by 2"), e.getMessage());
    }

    @Test
    void reasonPatternsGroupNumbers() {
        assertEquals("row: invalid UTF-8 at byte # of the row",
                CurateReport.reasonPattern("row: invalid UTF-8 at byte 22 of the row"));
        assertEquals("prompt: unpaired surrogate U+D800 at char #",
                CurateReport.reasonPattern("prompt: unpaired surrogate U+D800 at char 5"));
        assertEquals(120, CurateReport.reasonPattern("x".repeat(300)).length());
        assertEquals("12350", CurateReport.num(12345.678));
        assertEquals("2.510e+07", CurateReport.num(2.51e7));
    }
}
