package org.immunobench.curation.readers;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.Fixtures;
import org.immunobench.curation.adapters.MappedColumnsAdapter;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.adapters.Sst2Adapter;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.ValidationLimits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark read paths give the same outcomes as the streaming readers, on {@code local[2]}. */
class SparkSourcesTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestSpark.get();
    }

    private static List<Parsed> sorted(List<Parsed> in) {
        List<Parsed> out = new ArrayList<>(in);
        out.sort(Comparator.comparing((Parsed p) -> p instanceof Parsed.Kept k ? k.row().domain() : "")
                .thenComparingLong(Parsed::sourceRow));
        return out;
    }

    private static void assertSameAsStreaming(SourceFormat format, Path path, SourceContext ctx, ColumnMapping m) {
        List<Parsed> viaSpark = SparkSources.read(spark, new SourceSpec(ctx.source(), format, path.toString()), ctx, m)
                .collect();
        List<Parsed> streamed = Fixtures.read(format, path, ctx, m).outcomes();
        assertEquals(sorted(streamed), sorted(viaSpark));
    }

    @Test
    void byteLinesCatchInvalidUtf8LikeTheStreamingReader() {
        SourceContext ctx = new SourceContext("bad", Splits.ATTACK, new ValidationLimits(300));
        assertSameAsStreaming(SourceFormat.JSONL, Fixtures.path("bad_rows/bad_rows.jsonl"), ctx,
                ColumnMapping.corpusColumns());
        Parsed utf8 = SparkSources.lines(
                        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()),
                        Fixtures.path("bad_rows/bad_rows.jsonl").toString(),
                        new JsonLinesParser(ctx, new MappedColumnsAdapter(ColumnMapping.corpusColumns())))
                .filter(p -> p.sourceRow() == 7).first();
        assertEquals("row: invalid UTF-8 at byte 22 of the row",
                assertInstanceOf(Parsed.Quarantined.class, utf8).row().reason());
    }

    @Test
    void tsvHeaderAndHexPhiDirectoryAndQuotedCsv() {
        assertSameAsStreaming(SourceFormat.SST2, Fixtures.path("sst2/train.tsv"),
                SourceContext.of("sst2", Splits.BENIGN_TRAIN), null);
        assertSameAsStreaming(SourceFormat.HEXPHI, Fixtures.path("hexphi"),
                SourceContext.of("hexphi", Splits.EVAL), null);
        assertSameAsStreaming(SourceFormat.HARMBENCH, Fixtures.path("harmbench/harmbench_behaviors_text_all.csv"),
                SourceContext.of("harmbench", Splits.EVAL), null);
        assertSameAsStreaming(SourceFormat.CSV, Fixtures.path("bad_rows/bad_rows.csv"),
                SourceContext.of("bad", Splits.EVAL), ColumnMapping.corpusColumns());
    }

    @Test
    void aBadHeaderFailsOnTheDriverNamingTheFile(@TempDir Path dir) throws java.io.IOException {
        Path f = dir.resolve("behaviors.csv");
        java.nio.file.Files.writeString(f, "Behavior,Tags\nx,y\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSources.read(spark,
                new SourceSpec("hb", SourceFormat.HARMBENCH, f.toString()), SourceContext.of("hb", Splits.EVAL),
                null));
        assertTrue(e.getMessage().endsWith("behaviors.csv: missing column 'FunctionalCategory' (header has"
                + " [Behavior, Tags])"), e.getMessage());
    }

    @Test
    void sst2ParquetInTheHuggingFaceShape(@TempDir Path dir) {
        StructType schema = new StructType().add("idx", DataTypes.IntegerType).add("sentence", DataTypes.StringType)
                .add("label", DataTypes.LongType);
        String out = dir.resolve("sst2").toString();
        spark.createDataFrame(List.of(
                        RowFactory.create(0, "a warm fixture ", 1L),
                        RowFactory.create(1, "a cold fixture", 0L),
                        RowFactory.create(2, "an unlabelled fixture", -1L)), schema)
                .coalesce(1).write().parquet(out);
        SourceContext ctx = SourceContext.of("sst2hf", Splits.BENIGN_EVAL);
        List<Parsed> got = sorted(SparkSources.read(spark, new SourceSpec("sst2hf", SourceFormat.SST2, out), ctx,
                null).collect());
        assertEquals(3, got.size());
        assertEquals(CorpusRow.of("sst2hf", 1, Splits.BENIGN_EVAL, "sst2", CorpusRow.BENIGN,
                Sst2Adapter.PROMPT_PREFIX + "a warm fixture", "positive"),
                assertInstanceOf(Parsed.Kept.class, got.get(1)).row());
        assertEquals(2, got.get(2).sourceRow());
        assertEquals("negative", ((Parsed.Kept) got.get(2)).row().response());
        Parsed.Quarantined q = assertInstanceOf(Parsed.Quarantined.class, got.get(0));
        assertEquals(3, q.sourceRow());
        assertEquals("label: expected 0 or 1, got -1", q.row().reason());
        assertEquals("{\"idx\":2,\"sentence\":\"an unlabelled fixture\",\"label\":-1}", q.row().raw());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSources.read(spark,
                new SourceSpec("p", SourceFormat.PARQUET, out), ctx, new ColumnMapping("text", null,
                        ColumnMapping.Value.constant("d"), ColumnMapping.Value.constant(CorpusRow.BENIGN))));
        assertTrue(e.getMessage().contains("missing column 'text'"), e.getMessage());
    }
}
