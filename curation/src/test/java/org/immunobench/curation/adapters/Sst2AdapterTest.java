package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.TsvParser;
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
import static org.junit.jupiter.api.Assertions.assertThrows;

class Sst2AdapterTest {
    private static final SourceContext CTX = SourceContext.of("sst2", Splits.BENIGN_TRAIN);
    private static final String Q = Sst2Adapter.PROMPT_PREFIX;

    @Test
    void tsvFixtureRowsNumberedAfterTheHeader() {
        Fixtures.Read read = Fixtures.read(SourceFormat.SST2, Fixtures.path("sst2/train.tsv"), CTX, null);
        assertEquals(List.of(
                CorpusRow.of("sst2", 1, Splits.BENIGN_TRAIN, "sst2", CorpusRow.BENIGN,
                        Q + "a charming and often affecting fixture", "positive"),
                CorpusRow.of("sst2", 2, Splits.BENIGN_TRAIN, "sst2", CorpusRow.BENIGN,
                        Q + "the fixture plot is thin and the pacing drags", "negative"),
                CorpusRow.of("sst2", 3, Splits.BENIGN_TRAIN, "sst2", CorpusRow.BENIGN,
                        Q + "it 's a \" quoted \" fixture line", "positive")), read.kept());
    }

    private static String reason(String line) {
        Parsed p = new TsvParser(CTX, new Sst2Adapter()).withHeader("sentence\tlabel", "train.tsv").parse(line, 4);
        return assertInstanceOf(Parsed.Quarantined.class, p).row().reason();
    }

    @Test
    void badLabelsAndShapes() {
        assertEquals("label: expected 0 or 1, got -1", reason("unlabelled test sentence\t-1"));
        assertEquals("label: expected integer, got 'x'", reason("a sentence\tx"));
        assertEquals("row: expected 2 tab-separated fields, found 3", reason("a\tb\t1"));
        assertEquals("sentence: empty", reason(" \t1"));
    }

    @Test
    void headerWithoutLabelNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("test.tsv");
        Files.writeString(f, "index\tsentence\n0\tsome sentence\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.read(SourceFormat.SST2, f, CTX, null));
        assertEquals(f + ": missing column 'label' (header has [index, sentence])", e.getMessage());
    }
}
