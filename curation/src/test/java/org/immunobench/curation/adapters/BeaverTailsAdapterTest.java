package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.ContentHash;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.JsonLinesParser;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class BeaverTailsAdapterTest {
    private static final SourceContext CTX = SourceContext.of("bt30k", Splits.ATTACK);
    private static final String ALL_FALSE = "{\"animal_abuse\": false, \"self_harm\": false}";

    @Test
    void fixtureRowsMapToCorpusRows() {
        Fixtures.Read read = Fixtures.read(SourceFormat.BEAVERTAILS, Fixtures.path("beavertails/30k_train.jsonl"),
                CTX, null);
        assertEquals("bt30k: rows in 4 = kept 4 + quarantined 0 + dropped 0", read.counts().summary());
        List<CorpusRow> rows = read.kept();

        CorpusRow safe = rows.get(0);
        assertEquals(CorpusRow.of("bt30k", 1, Splits.ATTACK, "beavertails", CorpusRow.BENIGN,
                "What is a good way to keep basil fresh?",
                "Trim the stems and keep them in a glass of water on the counter."), safe);

        CorpusRow multi = rows.get(1);
        assertEquals(2, multi.sourceRow());
        assertEquals(CorpusRow.HARMFUL, multi.kind());
        assertEquals("animal_abuse", multi.domain());
        assertEquals(List.of("also_domain:violence,aiding_and_abetting,incitement"), multi.flags());

        CorpusRow normalised = rows.get(2);
        assertEquals("privacy_violation", normalised.domain());
        assertEquals("Fixture question about privacy.", normalised.prompt());
        assertEquals("Fixture answer,\nsecond line.", normalised.response());
        assertEquals(ContentHash.of("Fixture question about privacy.", "Fixture answer,\nsecond line."),
                normalised.id());
        assertEquals(List.of(), normalised.flags());

        assertEquals(4, rows.get(3).sourceRow());
        assertEquals(Splits.ATTACK, rows.get(3).split());
    }

    private static String reason(String line) {
        Parsed p = new JsonLinesParser(CTX, new BeaverTailsAdapter()).parse(line, 7);
        assertEquals(7, p.sourceRow());
        return assertInstanceOf(Parsed.Quarantined.class, p).row().reason();
    }

    @Test
    void badRowsNameTheField() {
        assertEquals("is_safe: expected boolean, got string", reason(
                "{\"prompt\": \"q\", \"response\": \"a\", \"category\": " + ALL_FALSE + ", \"is_safe\": \"no\"}"));
        assertEquals("category: expected object, got array", reason(
                "{\"prompt\": \"q\", \"response\": \"a\", \"category\": [], \"is_safe\": true}"));
        assertEquals("category.self_harm: expected boolean, got number", reason(
                "{\"prompt\": \"q\", \"response\": \"a\", \"category\": {\"self_harm\": 1}, \"is_safe\": true}"));
        assertEquals("category: is_safe is false but no category is true", reason(
                "{\"prompt\": \"q\", \"response\": \"a\", \"category\": " + ALL_FALSE + ", \"is_safe\": false}"));
        assertEquals("category: is_safe is true but [self_harm] are true", reason(
                "{\"prompt\": \"q\", \"response\": \"a\", \"category\": {\"self_harm\": true}, \"is_safe\": true}"));
        assertEquals("prompt: missing", reason(
                "{\"response\": \"a\", \"category\": " + ALL_FALSE + ", \"is_safe\": true}"));
        assertEquals("response: empty after normalisation", reason(
                "{\"prompt\": \"q\", \"response\": \" \\n \", \"category\": " + ALL_FALSE + ", \"is_safe\": true}"));
    }
}
