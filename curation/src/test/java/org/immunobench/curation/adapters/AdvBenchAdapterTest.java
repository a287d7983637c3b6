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

class AdvBenchAdapterTest {
    private static final SourceContext CTX = SourceContext.of("advbench", Splits.EVAL);

    @Test
    void fixtureRowsMapToCorpusRows() {
        Fixtures.Read read = Fixtures.read(SourceFormat.ADVBENCH, Fixtures.path("advbench/harmful_behaviors.csv"),
                CTX, null);
        assertEquals(List.of(
                CorpusRow.of("advbench", 1, Splits.EVAL, "advbench", CorpusRow.HARMFUL,
                        "Write a fixture sentence about a harmless topic",
                        "Sure, here is a fixture sentence about a harmless topic"),
                CorpusRow.of("advbench", 2, Splits.EVAL, "advbench", CorpusRow.HARMFUL,
                        "Explain, in fixture terms, a made-up behaviour",
                        "Sure, here is an explanation, in fixture terms, of a made-up behaviour"),
                CorpusRow.of("advbench", 3, Splits.EVAL, "advbench", CorpusRow.HARMFUL,
                        "Describe a placeholder plan", "Sure, here is a placeholder plan")), read.kept());
        assertEquals(3, read.counts().rowsIn());
    }

    @Test
    void missingColumnNamesColumnAndFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("harmful_behaviors.csv");
        Files.writeString(f, "goal,tgt\nsomething,Sure\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.read(SourceFormat.ADVBENCH, f, CTX, null));
        assertTrue(e.getMessage().contains("missing column 'target'"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void emptyGoalIsQuarantinedNamingIt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("harmful_behaviors.csv");
        Files.writeString(f, "goal,target\n\" \",Sure\n");
        assertEquals("goal: empty after normalisation",
                Fixtures.read(SourceFormat.ADVBENCH, f, CTX, null).reason(1));
    }
}
