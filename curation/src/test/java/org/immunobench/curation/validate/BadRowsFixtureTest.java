package org.immunobench.curation.validate;

import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.Fixtures;
import org.immunobench.curation.adapters.MappedColumnsAdapter;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.JsonLinesParser;
import org.immunobench.curation.readers.LineSourceReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quarantine equation and every bad row's reason, over fixture files seeded with each kind of bad row. */
class BadRowsFixtureTest {
    private static final SourceContext CTX = new SourceContext("bad", Splits.ATTACK, new ValidationLimits(300));

    @Test
    void jsonlEveryKindOfBadRow() {
        Fixtures.Read read = Fixtures.read(SourceFormat.JSONL, Fixtures.path("bad_rows/bad_rows.jsonl"), CTX,
                ColumnMapping.corpusColumns());
        assertEquals("bad: rows in 17 = kept 3 + quarantined 12 + dropped 2 (blank line 2)", read.counts().summary());
        assertEquals(17, read.outcomes().size());
        for (int i = 0; i < 17; i++) {
            assertEquals(i + 1, read.outcomes().get(i).sourceRow());
        }
        assertEquals(List.of(1L, 15L, 17L), read.kept().stream().map(CorpusRow::sourceRow).toList());
        assertEquals(CorpusRow.REFUSAL, read.kept().get(2).kind());

        assertTrue(read.reason(2).startsWith("row: malformed JSON: Unexpected end-of-input"), read.reason(2));
        assertEquals("row: expected a JSON object, got array", read.reason(3));
        assertEquals("prompt: expected string, got number", read.reason(4));
        assertEquals("response: missing", read.reason(5));
        assertEquals("prompt: empty after normalisation", read.reason(6));
        assertEquals("row: invalid UTF-8 at byte 22 of the row", read.reason(7));
        assertEquals("row: 470 chars, over max_row_chars 300", read.reason(8));
        assertEquals("blank line", read.reason(9));
        assertEquals("blank line", read.reason(10));
        assertEquals("kind: expected one of harmful, refusal, benign, got 'spicy'", read.reason(11));
        assertEquals("prompt: unpaired surrogate U+D800 at char 5", read.reason(12));
        assertTrue(read.reason(13).startsWith("row: malformed JSON: Duplicate field 'prompt'"), read.reason(13));
        assertTrue(read.reason(14).startsWith("row: malformed JSON: Trailing token"), read.reason(14));
        assertEquals("prompt: expected string, got null", read.reason(16));
    }

    @Test
    void quarantineKeepsTheRawRowWithBadBytesVisible() {
        Fixtures.Read read = Fixtures.read(SourceFormat.JSONL, Fixtures.path("bad_rows/bad_rows.jsonl"), CTX,
                ColumnMapping.corpusColumns());
        Parsed.Quarantined utf8 = (Parsed.Quarantined) read.row(7);
        assertTrue(utf8.row().raw().contains("bad bytes \ufffd\ufffd here"), utf8.row().raw());
        Parsed.Quarantined longRow = (Parsed.Quarantined) read.row(8);
        assertEquals(470, longRow.row().raw().length());
        assertEquals("bad", longRow.row().source());
    }

    @Test
    void aLineFarOverTheLimitIsNotDecodedAndReadsAlikeOnBothPaths() {
        SourceContext tiny = new SourceContext("bad", Splits.ATTACK, new ValidationLimits(10));
        byte[] line = ("{\"prompt\": \"" + "y".repeat(40) + "\"}").getBytes(StandardCharsets.UTF_8);
        JsonLinesParser parser = new JsonLinesParser(tiny, new MappedColumnsAdapter(ColumnMapping.corpusColumns()));
        Parsed viaBytes = parser.parse(line, line.length, 1);
        assertEquals("row: 54 bytes, over max_row_chars 10", ((Parsed.Quarantined) viaBytes).row().reason());
        try (LineSourceReader streamed = new LineSourceReader(new ByteArrayInputStream(line), "x.jsonl", parser)) {
            // The streaming reader stops buffering at max_row_bytes, so only the reason, not the excerpt, matches.
            assertEquals(((Parsed.Quarantined) viaBytes).row().reason(),
                    ((Parsed.Quarantined) streamed.next()).row().reason());
        }
    }

    @Test
    void csvBadRecordsAreConfinedToThemselves() {
        Fixtures.Read read = Fixtures.read(SourceFormat.CSV, Fixtures.path("bad_rows/bad_rows.csv"), CTX,
                ColumnMapping.corpusColumns());
        assertEquals("bad: rows in 11 = kept 3 + quarantined 7 + dropped 1 (blank line 1)", read.counts().summary());
        assertEquals(List.of(1L, 2L, 10L), read.kept().stream().map(CorpusRow::sourceRow).toList());
        assertEquals("Good csv row two,\nspanning two lines", read.kept().get(1).prompt());
        assertEquals("Fine, really.", read.kept().get(2).response());

        assertEquals("row: expected 4 fields, found 3 (record starts at line 5)", read.reason(3));
        assertEquals("row: quote inside unquoted field 1 (a field holding quotes must itself be quoted)"
                + " (record starts at line 6)", read.reason(4));
        assertEquals("row: unexpected 'x' after the closing quote of field 1 (record starts at line 7)",
                read.reason(5));
        assertEquals("row: invalid UTF-8 at byte 5 of the row (record starts at line 8)", read.reason(6));
        assertEquals("prompt: empty after normalisation", read.reason(7));
        assertEquals("blank line", read.reason(8));
        assertEquals("kind: expected one of harmful, refusal, benign, got 'spicy'", read.reason(9));
        assertEquals("row: unterminated quoted field 1 (record starts at line 14)", read.reason(11));
    }
}
