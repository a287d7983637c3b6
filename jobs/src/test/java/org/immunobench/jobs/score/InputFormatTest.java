package org.immunobench.jobs.score;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputFormatTest {
    @Test
    void formatFollowsTheExtension() {
        assertEquals(InputFormat.JSONL, InputFormat.detect("/d/a.jsonl", false));
        assertEquals(InputFormat.JSONL, InputFormat.detect("a.JSONL.gz", false));
        assertEquals(InputFormat.JSONL, InputFormat.detect("a.ndjson", false));
        assertEquals(InputFormat.PARQUET, InputFormat.detect("a.parquet", false));
        assertEquals(InputFormat.PARQUET, InputFormat.detect("/data/corpus", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputFormat.detect("a.csv", false));
        assertTrue(e.getMessage().contains("--format"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputFormat.detect("alpaca.json", false));
    }
}
