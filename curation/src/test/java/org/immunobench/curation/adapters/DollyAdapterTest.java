package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.JsonLinesParser;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class DollyAdapterTest {
    private static final SourceContext CTX = SourceContext.of("dolly", Splits.BENIGN_EVAL);

    @Test
    void fixtureRowsMapToCorpusRows() {
        Fixtures.Read read = Fixtures.read(SourceFormat.DOLLY, Fixtures.path("dolly/databricks-dolly-15k.jsonl"),
                CTX, null);
        assertEquals(List.of(
                CorpusRow.of("dolly", 1, Splits.BENIGN_EVAL, "closed_qa", CorpusRow.BENIGN,
                        "When was the fixture library founded?\n\n"
                                + "The fixture library was founded in 1901 in a small town by the river.",
                        "It was founded in 1901."),
                CorpusRow.of("dolly", 2, Splits.BENIGN_EVAL, "brainstorming", CorpusRow.BENIGN,
                        "Name three colours of the rainbow.", "Red, orange and yellow."),
                CorpusRow.of("dolly", 3, Splits.BENIGN_EVAL, "classification", CorpusRow.BENIGN,
                        "Classify each as a fruit or a vegetable: apple, carrot",
                        "Apple is a fruit; carrot is a vegetable.")), read.kept());
    }

    @Test
    void emptyCategoryIsQuarantined() {
        Parsed p = new JsonLinesParser(CTX, new DollyAdapter()).parse(
                "{\"instruction\": \"i\", \"context\": \"\", \"response\": \"r\", \"category\": \"\"}", 9);
        assertEquals("category: empty", assertInstanceOf(Parsed.Quarantined.class, p).row().reason());
    }
}
