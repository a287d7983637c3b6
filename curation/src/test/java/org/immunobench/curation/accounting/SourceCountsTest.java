package org.immunobench.curation.accounting;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceCountsTest {
    private static final SourceContext CTX = SourceContext.of("src", Splits.ATTACK);

    @Test
    void equationHoldsOrThrowsNamingTheSource() {
        SourceCounts ok = new SourceCounts("advbench", 10, 7, 2, Map.of("blank line", 1L));
        assertEquals("advbench: rows in 10 = kept 7 + quarantined 2 + dropped 1 (blank line 1)", ok.summary());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SourceCounts("advbench", 10, 7, 2, Map.of()));
        assertEquals("source 'advbench': rows do not add up: advbench: rows in 10 = kept 7 + quarantined 2 + dropped 0"
                + " (off by 1)", e.getMessage());
    }

    @Test
    void plusAddsBySource() {
        SourceCounts a = new SourceCounts("s", 3, 2, 0, Map.of("blank line", 1L));
        SourceCounts b = new SourceCounts("s", 4, 1, 1, Map.of("blank line", 1L, "exact duplicate", 1L));
        assertEquals(new SourceCounts("s", 7, 3, 1, Map.of("blank line", 2L, "exact duplicate", 1L)), a.plus(b));
        assertThrows(IllegalArgumentException.class, () -> a.plus(new SourceCounts("t", 0, 0, 0, Map.of())));
    }

    @Test
    void tallyCountsOutcomesAndMeetsRowsIn() {
        Parsed kept = new Parsed.Kept(CorpusRow.of("src", 1, Splits.ATTACK, "d", CorpusRow.HARMFUL, "p", "r"));
        Parsed bad = Parsed.quarantined(CTX, 2, "{", "row: malformed JSON");
        Parsed blank = Parsed.dropped(CTX, 3, "blank line");
        SourceTally left = new SourceTally("src").add(kept).add(bad);
        SourceTally right = new SourceTally("src").add(blank);
        SourceCounts c = left.merge(right).toCounts(3);
        assertEquals(new SourceCounts("src", 3, 1, 1, Map.of("blank line", 1L)), c);
        assertThrows(IllegalStateException.class, () -> new SourceTally("src").add(kept).toCounts(2));
        assertThrows(IllegalArgumentException.class, () -> new SourceTally("other").add(kept));
    }

    @Test
    void stageSummaryWithTotal() {
        StageCounts stage = new StageCounts("read + validate", List.of(
                new SourceCounts("a", 2, 2, 0, Map.of()),
                new SourceCounts("b", 3, 1, 1, Map.of("blank line", 1L))));
        assertEquals("read + validate\n"
                + "  a: rows in 2 = kept 2 + quarantined 0 + dropped 0\n"
                + "  b: rows in 3 = kept 1 + quarantined 1 + dropped 1 (blank line 1)\n"
                + "  all: rows in 5 = kept 3 + quarantined 1 + dropped 1 (blank line 1)\n", stage.summary());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StageCounts("s", List.of(
                new SourceCounts("a", 0, 0, 0, Map.of()), new SourceCounts("a", 0, 0, 0, Map.of()))))
                .getMessage().contains("'a' counted twice"));
    }
}
