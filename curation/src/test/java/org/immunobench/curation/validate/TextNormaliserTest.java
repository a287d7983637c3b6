package org.immunobench.curation.validate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.immunobench.curation.validate.TextNormaliser.normalise;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TextNormaliserTest {

    @Test
    void nfkcFoldsCompatibilityForms() {
        assertEquals("Fixture 123", normalise("\uff26\uff49\uff58\uff54\uff55\uff52\uff45 \uff11\uff12\uff13"));
        assertEquals("file", normalise("\ufb01le"));
        assertEquals("a b", normalise("a\u00a0b"));
        assertEquals("a b", normalise("a\u3000\u2003b"));
        assertEquals("\u00e9", normalise("e\u0301"));
    }

    @Test
    void lineEndingsBecomeNewlines() {
        assertEquals("a\nb\nc\nd\ne", normalise("a\r\nb\rc\u2028d\u0085e"));
    }

    @Test
    void controlsAndInvisiblesAreRemovedBeforeNfkc() {
        assertEquals("ab", normalise("a\u0000b\u0007"));
        assertEquals("ab", normalise("\ufeffa\u200bb"));
        // The bell sits between a letter and its accent; removing it first lets NFKC compose them.
        assertEquals("\u00e9", normalise("e\u0007\u0301"));
        assertEquals("a\u200db", normalise("a\u200db"));
    }

    @Test
    void whitespaceCollapsesInsideLinesAndKeepsIndentation() {
        assertEquals("a b c", normalise("a \t  b\t\tc"));
        assertEquals("def f():\n    return 1", normalise("def f():  \n    return   1  \n"));
        assertEquals("a\n\nb", normalise("a\n\n\n\n  \nb"));
        assertEquals("a\n b", normalise("  a \n b"));
        assertEquals("", normalise(" \n\t \u200b "));
    }

    @Test
    void idempotent() {
        for (String s : List.of("  x\r\n\r\n\r\n  y\t z  ", "\ufb01 \u00a0e\u0007\u0301\n\n\n", "a\u2029\u2029\u2029b",
                "\t\tindented\n\t\tcode  here ")) {
            String once = normalise(s);
            assertEquals(once, normalise(once), "not idempotent on " + s.codePoints().boxed().toList());
        }
    }
}
