package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.SingleColumnCsvParser;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class HexPhiAdapterTest {
    private static final SourceContext CTX = SourceContext.of("hexphi", Splits.HELDOUT_DOMAIN);

    @Test
    void directoryOfCategoryFilesInNumericOrder() {
        Fixtures.Read read = Fixtures.read(SourceFormat.HEXPHI, Fixtures.path("hexphi"), CTX, null);
        assertEquals(List.of(
                CorpusRow.of("hexphi", 1, Splits.HELDOUT_DOMAIN, "category_3", CorpusRow.HARMFUL,
                        "Fixture prompt number one for category three", ""),
                CorpusRow.of("hexphi", 2, Splits.HELDOUT_DOMAIN, "category_3", CorpusRow.HARMFUL,
                        "Fixture prompt, with a comma, for category three", ""),
                CorpusRow.of("hexphi", 3, Splits.HELDOUT_DOMAIN, "category_3", CorpusRow.HARMFUL,
                        "Fixture prompt with \"quotes\" for category three", ""),
                CorpusRow.of("hexphi", 1, Splits.HELDOUT_DOMAIN, "category_11", CorpusRow.HARMFUL,
                        "Fixture prompt for category eleven", "")), read.kept());
        assertEquals(4, read.counts().rowsIn());
    }

    @Test
    void domainFromFileName() {
        assertEquals("category_3", HexPhiAdapter.forFile("/data/hex-phi/category_3.csv").domain());
        assertEquals("category_3", HexPhiAdapter.forFile("category_3.csv.gz").domain());
    }

    private static String reason(String line) {
        Parsed p = new SingleColumnCsvParser(CTX, new HexPhiAdapter("category_1"), HexPhiAdapter.COLUMN)
                .parse(line, 3);
        return assertInstanceOf(Parsed.Quarantined.class, p).row().reason();
    }

    @Test
    void malformedLines() {
        assertEquals("row: unterminated quoted field 1 (rows of this file are single lines)",
                reason("\"starts a quote and never ends it"));
        assertEquals("row: expected 1 column, found 2 (a prompt with commas must be quoted)", reason("one, two"));
        assertEquals("prompt: empty after normalisation", reason("\"\u200b\""));
    }

    @Test
    void quarantineReasonsNameTheFileInADirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("category_5.csv"), "fine prompt\n\"broken\n\n");
        Fixtures.Read read = Fixtures.read(SourceFormat.HEXPHI, dir, CTX, null);
        assertEquals("hexphi: rows in 3 = kept 1 + quarantined 1 + dropped 1 (blank line 1)",
                read.counts().summary());
        assertEquals("category_5.csv: row: unterminated quoted field 1 (rows of this file are single lines)",
                read.reason(2));
    }
}
