package org.immunobench.jobs.score;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.corpus.ContentHash;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.readers.JsonLinesParser;
import org.immunobench.curation.readers.SparkSources;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.curation.validate.Parsed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Score's row shape on curate's line parser (no Spark) and Parquet reader: what a row becomes, and its id. */
class ScoreRowsTest {
    private static final String SRC = "in.jsonl";
    private static final JsonLinesParser PARSER = new JsonLinesParser(ScoreRows.context(SRC), new ScoreRows());

    private static Parsed parse(byte[] line) {
        return PARSER.parse(line, line.length, 7);
    }

    private static CorpusRow ok(String line) {
        return assertInstanceOf(Parsed.Kept.class, parse(line.getBytes(StandardCharsets.UTF_8))).row();
    }

    private static String bad(String line) {
        QuarantineRow q = ScoreRows.notKept(parse(line.getBytes(StandardCharsets.UTF_8)));
        assertEquals(SRC, q.source());
        assertEquals(7, q.sourceRow());
        return q.reason();
    }

    @Test
    void givenIdsAreKeptAsText() {
        assertEquals("doc-1", ScoreRows.id(ok("{\"id\":\"doc-1\",\"text\":\"hello world\",\"extra\":[1]}")));
        assertEquals("42", ScoreRows.id(ok("{\"id\":42,\"text\":\"a\"}")));
        assertEquals("12345678901234567890", ScoreRows.id(ok("{\"id\":12345678901234567890,\"text\":\"a\"}")));
        assertEquals("1.5", ScoreRows.id(ok("{\"id\":1.5,\"text\":\"a\"}")));
    }

    @Test
    void withoutAnIdARowGetsTheCorpusIdOfItsNormalisedContent() {
        CorpusRow text = ok("{\"text\":\"  hello\\u00a0 world \"}");
        assertEquals("hello world", text.prompt(), "a text row is the corpus's plain-text row");
        assertEquals("", text.response());
        assertEquals(ContentHash.of("hello world", ""), ScoreRows.id(text));
        assertEquals(32, ScoreRows.id(text).length());
        assertEquals(ScoreRows.id(text), ScoreRows.id(ok("{\"id\":null,\"text\":\"hello world\"}")),
                "a null id counts as absent");
        CorpusRow pair = ok("{\"prompt\":\"q\",\"response\":\"a  b\",\"text\":null}");
        assertEquals(ContentHash.of("q", "a b"), ScoreRows.id(pair));
    }

    @Test
    void everyBadRowSaysWhyNamingTheField() {
        assertEquals("blank line", bad("  \t"));
        assertTrue(bad("{\"text\": \"a\"").startsWith("row: malformed JSON: "));
        assertTrue(bad("{\"text\":\"a\",\"text\":\"b\"}").contains("Duplicate field 'text'"));
        assertEquals("row: expected a JSON object, got string", bad("\"text\""));
        assertEquals("row: has both text and prompt/response; give one or the other",
                bad("{\"text\":\"a\",\"response\":\"c\"}"));
        assertEquals("text: missing (give text, or prompt and response)", bad("{\"text\":null}"));
        assertEquals("response: missing (prompt given)", bad("{\"prompt\":\"a\"}"));
        assertEquals("prompt: missing (response given)", bad("{\"response\":\"a\"}"));
        assertEquals("prompt: expected string, got array", bad("{\"prompt\":[],\"response\":\"a\"}"));
        assertEquals("text: empty after normalisation", bad("{\"text\":\" \\n \"}"));
        assertEquals("response: empty after normalisation", bad("{\"prompt\":\"a\",\"response\":\"  \"}"));
        assertEquals("prompt: empty after normalisation", bad("{\"prompt\":\"\",\"response\":\"a\"}"),
                "as in curate, a corpus row needs a prompt");
        assertEquals("id: expected string or number, got boolean", bad("{\"id\":true,\"text\":\"a\"}"));
        assertEquals("id: empty", bad("{\"id\":\" \",\"text\":\"a\"}"));
        assertEquals("row: invalid UTF-8 at byte 10 of the row", ScoreRows.notKept(parse(
                "{\"text\":\"a\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1))).reason());
    }

    /** Parquet through curate's Parquet reader: numeric ids kept as text, a null cell is an absent field. */
    @Test
    void parquetIdsOfNumericTypesAreKeptAsTextAndNullCellsAreAbsent(@TempDir Path dir) {
        assertEquals("9.50", parquetId(dir, "decimal", DataTypes.createDecimalType(5, 2), new BigDecimal("9.50")));
        assertEquals("2.0", parquetId(dir, "double", DataTypes.DoubleType, 2.0));
        assertEquals("7", parquetId(dir, "int", DataTypes.IntegerType, 7));
        assertEquals(ContentHash.of("a", ""), parquetId(dir, "null", DataTypes.StringType, null));
    }

    private static String parquetId(Path dir, String name, DataType idType, Object id) {
        SparkSession spark = TestSpark.get();
        StructType schema = new StructType().add("id", idType).add("text", DataTypes.StringType)
                .add("prompt", DataTypes.StringType);
        String file = dir.resolve(name + ".parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create(id, "a", null)), schema).coalesce(1).write().parquet(file);
        Parsed p = SparkSources.parquet(spark, file, ScoreRows.context(file), new ScoreRows()).first();
        return ScoreRows.id(assertInstanceOf(Parsed.Kept.class, p).row());
    }

    @Test
    void byteOrderMarkIsIgnored() {
        assertEquals("a", ok("\uFEFF{\"text\":\"a\"}").prompt());
    }

    @Test
    void unscorableRowsShowTheirNormalisedRowAsRaw() {
        QuarantineRow q = ScoreRows.unscorable(ok("{\"id\":3,\"text\":\" w9\"}"), "nothing to predict (1 tokens)");
        assertEquals("{\"id\":\"3\",\"text\":\"w9\"}", q.raw());
        assertEquals("row: nothing to score after tokenization: nothing to predict (1 tokens)", q.reason());
        assertEquals("{\"prompt\":\"p\",\"response\":\"r\"}",
                ScoreRows.unscorable(ok("{\"prompt\":\"p\",\"response\":\"r\"}"), "x").raw());
    }

    @Test
    void rawIsCutTo500CharsNeverInsideASurrogatePair() {
        assertEquals(QuarantineRow.MAX_RAW, new QuarantineRow(SRC, 1, "[" + "1,".repeat(600), "r").raw().length());
        assertEquals(499, new QuarantineRow(SRC, 1, "x".repeat(499) + "\uD83D\uDE00y", "r").raw().length());
        String text = "a ".repeat(400).strip();
        assertEquals(text, ok("{\"text\":\"" + text + "\"}").prompt(), "the text itself is never cut");
    }

    @Test
    void reasonCategoriesKeepFieldAndProblemWithoutNumbersOrFileNames() {
        assertEquals("blank line", ScoreJob.reasonCategory("blank line"));
        assertEquals("row: malformed JSON", ScoreJob.reasonCategory("row: malformed JSON: Unexpected end (line 1)"));
        assertEquals("row: invalid UTF-8 at byte # of the row",
                ScoreJob.reasonCategory("row: invalid UTF-8 at byte 22 of the row"));
        assertEquals("text: missing", ScoreJob.reasonCategory("text: missing (give text, or prompt and response)"));
        assertEquals("text: empty after normalisation",
                ScoreJob.reasonCategory("part-00001-a1b2.c000.snappy.parquet: text: empty after normalisation"));
        assertEquals("row: nothing to score after tokenization", ScoreJob.reasonCategory(
                ScoreRows.UNSCORABLE + "nothing to predict in the prompt (1 tokens)"));
    }
}
