package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappedColumnsAdapterTest {
    private static final SourceContext CTX = SourceContext.of("qa", Splits.ALIGN);
    private static final ColumnMapping BY_COLUMNS = new ColumnMapping("question", "answer",
            ColumnMapping.Value.column("topic"), ColumnMapping.Value.column("label"));

    @Test
    void jsonlWithColumnMapping() {
        Fixtures.Read read = Fixtures.read(SourceFormat.JSONL, Fixtures.path("generic/qa.jsonl"), CTX, BY_COLUMNS);
        assertEquals(List.of(
                CorpusRow.of("qa", 1, Splits.ALIGN, "weather", CorpusRow.BENIGN,
                        "What colour is the sky on a clear day?", "Blue."),
                CorpusRow.of("qa", 2, Splits.ALIGN, "fixture_harm", CorpusRow.HARMFUL,
                        "Fixture request the labellers marked harmful.", "Fixture compliant answer.")), read.kept());
    }

    @Test
    void csvWithConstantsAndNoResponse() {
        ColumnMapping m = new ColumnMapping("question", null, ColumnMapping.Value.constant("mixed"),
                ColumnMapping.Value.constant(CorpusRow.REFUSAL));
        Fixtures.Read read = Fixtures.read(SourceFormat.CSV, Fixtures.path("generic/qa.csv"), CTX, m);
        assertEquals(List.of(
                CorpusRow.of("qa", 1, Splits.ALIGN, "mixed", CorpusRow.REFUSAL,
                        "What colour is the sky on a clear day?", ""),
                CorpusRow.of("qa", 2, Splits.ALIGN, "mixed", CorpusRow.REFUSAL,
                        "Fixture request, multi-line:\nsecond line", "")), read.kept());
    }

    @Test
    void csvMissingMappedColumnNamesItAndTheFile() {
        ColumnMapping m = new ColumnMapping("question", "answer", ColumnMapping.Value.column("topic2"),
                ColumnMapping.Value.constant(CorpusRow.BENIGN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.read(SourceFormat.CSV, Fixtures.path("generic/qa.csv"), CTX, m));
        assertTrue(e.getMessage().endsWith("qa.csv: missing column 'topic2' (header has [question, answer, topic,"
                + " label])"), e.getMessage());
    }

    @Test
    void jsonlMissingMappedColumnIsQuarantinedPerRow() {
        ColumnMapping m = new ColumnMapping("question", "answer", ColumnMapping.Value.column("topic2"),
                ColumnMapping.Value.constant(CorpusRow.BENIGN));
        Fixtures.Read read = Fixtures.read(SourceFormat.JSONL, Fixtures.path("generic/qa.jsonl"), CTX, m);
        assertEquals("topic2: missing", read.reason(1));
        assertEquals("topic2: missing", read.reason(2));
    }

    @Test
    void mappingValidatesItsKeys() {
        assertEquals("kind: constant must be one of [harmful, refusal, benign], got 'toxic'",
                assertThrows(IllegalArgumentException.class, () -> new ColumnMapping("q", null,
                        ColumnMapping.Value.constant("d"), ColumnMapping.Value.constant("toxic"))).getMessage());
        assertEquals("prompt: column name is empty",
                assertThrows(IllegalArgumentException.class, () -> new ColumnMapping(" ", null,
                        ColumnMapping.Value.constant("d"), ColumnMapping.Value.constant("benign"))).getMessage());
        assertEquals("give either a column or a constant, not both",
                assertThrows(IllegalArgumentException.class, () -> new ColumnMapping.Value("c", "v")).getMessage());
        assertEquals("format 'jsonl' needs a column mapping (config key mapping)",
                assertThrows(IllegalArgumentException.class,
                        () -> SourceFormat.JSONL.mapper("x.jsonl", null)).getMessage());
    }
}
