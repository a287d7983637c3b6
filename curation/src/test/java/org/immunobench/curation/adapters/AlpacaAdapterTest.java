package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.SourceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlpacaAdapterTest {
    private static final SourceContext CTX = SourceContext.of("alpaca", Splits.BENIGN_TRAIN);

    @Test
    void fixtureArrayElementsMapToCorpusRows() {
        Fixtures.Read read = Fixtures.read(SourceFormat.ALPACA, Fixtures.path("alpaca/alpaca_data.json"), CTX, null);
        assertEquals(List.of(
                CorpusRow.of("alpaca", 1, Splits.BENIGN_TRAIN, "alpaca", CorpusRow.BENIGN,
                        "Give three tips for staying healthy.", "1. Eat vegetables.\n2. Sleep well.\n3. Walk every day."),
                CorpusRow.of("alpaca", 2, Splits.BENIGN_TRAIN, "alpaca", CorpusRow.BENIGN,
                        "Translate the sentence to French.\n\nThe cat sleeps.", "Le chat dort."),
                CorpusRow.of("alpaca", 3, Splits.BENIGN_TRAIN, "alpaca", CorpusRow.BENIGN,
                        "Sort the numbers in ascending order.\n\n3, 1, 2", "1, 2, 3")), read.kept());
    }

    @Test
    void badElementsAreQuarantinedAndASyntaxErrorStopsTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("alpaca_data.json");
        Files.writeString(f, "[\n"
                + "  {\"instruction\": \"a\", \"input\": \"\", \"output\": \"b\"},\n"
                + "  5,\n"
                + "  {\"instruction\": \" \", \"input\": \"\", \"output\": \"x\"},\n"
                + "  {\"instruction\": \"c\", \"output\": \"d\"},\n"
                + "  {\"instruction\": \"e\", \"input\": \"\", \"output\": \"f\"},\n"
                + "  {\"instruction\": \"broken\" \"input\": \"\"}\n"
                + "  {\"instruction\": \"never read\", \"input\": \"\", \"output\": \"x\"}\n"
                + "]\n");
        Fixtures.Read read = Fixtures.read(SourceFormat.ALPACA, f, CTX, null);
        assertEquals("alpaca: rows in 6 = kept 2 + quarantined 4 + dropped 0", read.counts().summary());
        assertEquals("b", read.kept().get(0).response());
        assertEquals(5, read.kept().get(1).sourceRow());
        assertEquals("row: expected a JSON object, got number", read.reason(2));
        assertEquals("instruction: empty", read.reason(3));
        assertEquals("input: missing", read.reason(4));
        assertTrue(read.reason(6).startsWith("row: malformed JSON: Unexpected character"), read.reason(6));
        assertTrue(read.reason(6).endsWith("(line 7, column 28); the rest of the file was not read"), read.reason(6));
    }

    @Test
    void invalidUtf8StopsTheFileWithItsReason(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("alpaca_data.json");
        byte[] head = "[{\"instruction\": \"a\", \"input\": \"\", \"output\": \"b\"}, {\"instruction\": \"bad "
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\", \"input\": \"\", \"output\": \"c\"}]".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xFF;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(f, all);
        Fixtures.Read read = Fixtures.read(SourceFormat.ALPACA, f, CTX, null);
        assertEquals("alpaca: rows in 2 = kept 1 + quarantined 1 + dropped 0", read.counts().summary());
        assertTrue(read.reason(2).startsWith("row: invalid UTF-8: Invalid UTF-8 start byte 0xff"), read.reason(2));
    }

    @Test
    void notAnArrayNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("alpaca_data.json");
        Files.writeString(f, "{\"instruction\": \"a\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.read(SourceFormat.ALPACA, f, CTX, null));
        assertEquals(f + ": expected a JSON array at the top level, found {", e.getMessage());
    }
}
