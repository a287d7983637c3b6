package org.immunobench.curation.curate;

import org.immunobench.curation.corpus.ContentHash;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.ValidationLimits;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corpus-format rows go through the shared validator: normalised, re-hashed, quarantined with reasons. */
class CorpusSourceTest {
    private static final ValidationLimits LIMITS = new ValidationLimits(400);

    @Test
    void rowsKeepTheirSplitUnlessTheSourceNamesOne() {
        Parsed p = CorpusSource.parse("toy", null, LIMITS, 7, "user :  hi\u00a0 there", "ok .", "harm_x",
                CorpusRow.HARMFUL, Splits.ATTACK, List.of("f"));
        CorpusRow r = assertInstanceOf(Parsed.Kept.class, p).row();
        assertEquals(Splits.ATTACK, r.split());
        assertEquals("user : hi there", r.prompt());
        assertEquals(ContentHash.of("user : hi there", "ok ."), r.id());
        assertEquals(7, r.sourceRow());
        assertEquals(List.of("f"), r.flags());
        CorpusRow fixed = ((Parsed.Kept) CorpusSource.parse("toy", Splits.EVAL, LIMITS, 1, "p", "", "d",
                CorpusRow.BENIGN, null, null)).row();
        assertEquals(Splits.EVAL, fixed.split());
    }

    @Test
    void badRowsAreQuarantinedNamingTheField() {
        assertEquals("split: expected one of " + Splits.ALL + ", got 'train'", reason(CorpusSource.parse("toy", null,
                LIMITS, 1, "p", "r", "d", CorpusRow.BENIGN, "train", null)));
        assertEquals("split: missing", reason(CorpusSource.parse("toy", null, LIMITS, 1, "p", "r", "d",
                CorpusRow.BENIGN, null, null)));
        assertEquals("prompt: expected string, got null", reason(CorpusSource.parse("toy", null, LIMITS, 1, null, "r",
                "d", CorpusRow.BENIGN, Splits.EVAL, null)));
        assertEquals("prompt: empty after normalisation", reason(CorpusSource.parse("toy", null, LIMITS, 1, " \t",
                "r", "d", CorpusRow.BENIGN, Splits.EVAL, null)));
        assertTrue(reason(CorpusSource.parse("toy", null, LIMITS, 1, "p", "r", "d", "evil", Splits.EVAL, null))
                .startsWith("kind: expected one of"));
        assertTrue(reason(CorpusSource.parse("toy", null, LIMITS, 1, "x".repeat(500), "r", "d", CorpusRow.BENIGN,
                Splits.EVAL, null)).contains("over max_row_chars 400"));
    }

    private static String reason(Parsed p) {
        return assertInstanceOf(Parsed.Quarantined.class, p).row().reason();
    }
}
