package org.immunobench.curation.adapters;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SourceSpecTest {

    @Test
    void parsesNameFormatAndPathWithColons() {
        assertEquals(new SourceSpec("bt", SourceFormat.BEAVERTAILS, "/data/bt.jsonl"),
                SourceSpec.parse("bt=beavertails:/data/bt.jsonl"));
        SourceSpec s = SourceSpec.parse("hb.v1=harmbench:hdfs://nn:8020/data/behaviors.csv");
        assertEquals("hb.v1", s.name());
        assertEquals(SourceFormat.HARMBENCH, s.format());
        assertEquals("hdfs://nn:8020/data/behaviors.csv", s.path());
        assertEquals("hb.v1=harmbench:hdfs://nn:8020/data/behaviors.csv", s.toString());
    }

    private static String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> SourceSpec.parse(spec)).getMessage();
    }

    @Test
    void errorsNameTheBadPart() {
        assertEquals("--source 'beavertails:/x': expected NAME=FORMAT:PATH (no '=' after NAME)",
                error("beavertails:/x"));
        assertEquals("--source '=dolly:/x': expected NAME=FORMAT:PATH (NAME is empty)", error("=dolly:/x"));
        assertEquals("--source 'a b=dolly:/x': source NAME 'a b' must start with a letter or digit and hold only"
                + " letters, digits, '_', '.', '-'", error("a b=dolly:/x"));
        assertEquals("--source 'x=/data/x.jsonl': expected NAME=FORMAT:PATH (no ':' between FORMAT and PATH)",
                error("x=/data/x.jsonl"));
        assertEquals("--source 'x=:/data': expected NAME=FORMAT:PATH (FORMAT is empty; one of beavertails,"
                + " advbench, harmbench, hexphi, alpaca, dolly, sst2, jsonl, csv, parquet)", error("x=:/data"));
        assertEquals("--source 'x=tsv:/data': unknown FORMAT 'tsv'; expected one of beavertails, advbench,"
                + " harmbench, hexphi, alpaca, dolly, sst2, jsonl, csv, parquet", error("x=tsv:/data"));
        assertEquals("--source 'x=dolly:': expected NAME=FORMAT:PATH (PATH is empty)", error("x=dolly:"));
    }
}
