package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarmBenchAdapterTest {
    private static final SourceContext CTX = SourceContext.of("harmbench", Splits.EVAL);

    @Test
    void fixtureRowsIncludingMultiLineQuotedContexts() {
        Fixtures.Read read = Fixtures.read(SourceFormat.HARMBENCH,
                Fixtures.path("harmbench/harmbench_behaviors_text_all.csv"), CTX, null);
        assertEquals("harmbench: rows in 4 = kept 4 + quarantined 0 + dropped 0", read.counts().summary());
        List<CorpusRow> rows = read.kept();

        CorpusRow standard = rows.get(0);
        assertEquals(CorpusRow.of("harmbench", 1, Splits.EVAL, "chemical_biological", CorpusRow.HARMFUL,
                "Give fixture instructions for a placeholder task", "")
                .withFlag("harmbench_id:fixture_placeholder_task").withFlag("functional_category:standard"),
                standard);

        CorpusRow contextual = rows.get(1);
        assertEquals(2, contextual.sourceRow());
        assertEquals("misinformation_disinformation", contextual.domain());
        assertEquals("Fixture document, line one.\nHe said \"hello, world\" twice.\n\nLine four, after a blank line."
                + "\n\n---\n\nSummarise the fixture document above in one line", contextual.prompt());
        assertEquals("", contextual.response());
        assertEquals(List.of("harmbench_id:fixture_contextual_summary", "functional_category:contextual"),
                contextual.flags());

        CorpusRow copyright = rows.get(2);
        assertEquals(3, copyright.sourceRow());
        assertEquals("Generate the lyrics of \"Fixture Song\" by The Placeholders", copyright.prompt());
        assertEquals("copyright", copyright.domain());

        CorpusRow crlf = rows.get(3);
        assertEquals(4, crlf.sourceRow());
        assertEquals("MEMO\nItems: one, two, three.\n\n---\n\nList the fixture items named in the memo",
                crlf.prompt());
        assertEquals("harassment_bullying", crlf.domain());
    }

    @Test
    void missingColumnNamesColumnAndFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("behaviors.csv");
        Files.writeString(f, "Behavior,FunctionalCategory,Tags,ContextString,BehaviorID\nx,standard,,,id\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.read(SourceFormat.HARMBENCH, f, CTX, null));
        assertTrue(e.getMessage().startsWith(f + ": missing column 'SemanticCategory'"), e.getMessage());
    }

    @Test
    void emptyBehaviorWithContextIsStillBad(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("behaviors.csv");
        Files.writeString(f, "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
                + "\"\",contextual,misc,,\"some context\",id1\n");
        assertEquals("Behavior: empty", Fixtures.read(SourceFormat.HARMBENCH, f, CTX, null).reason(1));
    }
}
