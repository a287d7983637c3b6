package org.immunobench.curation.readers;

import org.immunobench.curation.validate.BadRow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvLineTest {

    @Test
    void quotedFieldsWithCommasQuotesAndLineBreaks() {
        assertEquals(List.of("a", "b, c", "say \"hi\"", "x\ny", ""),
                CsvLine.parse("a,\"b, c\",\"say \"\"hi\"\"\",\"x\ny\",", ','));
        assertEquals(List.of(""), CsvLine.parse("", ','));
        assertEquals(List.of("", ""), CsvLine.parse("\"\",", ','));
        assertEquals(List.of("a", "b"), CsvLine.parse("a\tb", '\t'));
    }

    private static String error(String rec) {
        return assertThrows(BadRow.class, () -> CsvLine.parse(rec, ',')).reason();
    }

    @Test
    void strictAboutQuotes() {
        assertEquals("row: unterminated quoted field 2", error("a,\"b"));
        assertEquals("row: unexpected 'x' after the closing quote of field 1", error("\"a\"x,b"));
        assertEquals("row: quote inside unquoted field 2 (a field holding quotes must itself be quoted)",
                error("a,b\"c"));
    }
}
