package org.immunobench.jobs.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.corpus.ContentHash;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.readers.SparkSources;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.jobs.ExecutorModelCache;
import org.immunobench.lm.CausalLm;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The score job end to end on local[2]: outputs, schema, accounting, quarantine, and numbers against the lm. */
class ScoreJobTest {
    @TempDir
    static Path tmp;
    static Path model;

    /** Small batches and chunks so one run crosses chunk, batch and partition boundaries. */
    static final RuntimeOptions OPTIONS = RuntimeOptions.cpu().withThreads(1).withBatching(128, 4);

    @BeforeAll
    static void writeModel() throws Exception {
        // Context 32 < the long row below, so the job also exercises windowed scoring.
        ModelConfig config = ModelConfig.llama(48, 32, 64, 2, 4, 2, 32).withSpecialTokens(2, List.of(3), 0);
        model = TinyModels.writeCheckpoint(tmp.resolve("model"), config, 11, 0.5);
        // Without the BOS post-processor a one-word text is one token with nothing to predict: the only way to
        // reach the "nothing to score" quarantine with a word-level tokenizer.
        Path tok = model.resolve("tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(tok.toFile());
        root.putNull("post_processor");
        json.writeValue(tok.toFile(), root);
    }

    /** line number (1-based) → expected quarantine reason. */
    static final Map<Long, String> BAD = new TreeMap<>();
    /** Good rows: id → the row (text, or prompt and response). */
    static final Map<String, String[]> GOOD = new HashMap<>();

    static List<String> jsonlLines() {
        List<String> lines = new ArrayList<>();
        GOOD.clear();
        BAD.clear();
        good(lines, "a1", "{\"id\":\"a1\",\"text\":\"hello world the cat sat\"}", "hello world the cat sat");
        good(lines, ContentHash.of("the cat sat on the mat .", ""), "{\"text\":\"the cat sat on the mat .\"}",
                "the cat sat on the mat .");
        goodPair(lines, "7", "{\"id\":7,\"prompt\":\"user : hello\",\"response\":\"assistant : world\"}",
                "user : hello", "assistant : world");
        goodPair(lines, ContentHash.of("user : w3", "w4 w5 w6"),
                "{\"prompt\":\"user : w3\",\"response\":\"w4 w5 w6\"}", "user : w3", "w4 w5 w6");
        bad(lines, "", "blank line");
        bad(lines, "{\"text\": \"w1\"", "row: malformed JSON");
        bad(lines, "[1,2]", "row: expected a JSON object, got array");
        bad(lines, "{\"text\":\"w1 w2\",\"prompt\":\"w3\",\"response\":\"w4\"}",
                "row: has both text and prompt/response");
        bad(lines, "{\"foo\":\"bar\"}", "text: missing (give text, or prompt and response)");
        bad(lines, "{\"text\":5}", "text: expected string, got number");
        bad(lines, "{\"text\":\"   \"}", "text: empty after normalisation");
        bad(lines, "{\"prompt\":\"w1\",\"response\":\"\"}", "response: empty after normalisation");
        bad(lines, "{\"prompt\":\"w1\"}", "response: missing (prompt given)");
        bad(lines, "{\"id\":true,\"text\":\"w1 w2\"}", "id: expected string or number, got boolean");
        bad(lines, "{\"text\":\"w9\"}", "row: nothing to score after tokenization");
        bad(lines, "{\"text\":\"w1 w2\"} {\"x\":1}", "row: malformed JSON");
        bad(lines, "{\"id\":\"d\",\"text\":\"w1\",\"text\":\"w2\"}", "row: malformed JSON");
        String longText = String.join(" ", TinyModels.words(44)).replace(" ", " w1 "); // ~87 tokens > context 32
        good(lines, "long", "{\"id\":\"long\",\"text\":\"" + longText + "\"}", longText);
        good(lines, "unk", "{\"id\":\"unk\",\"text\":\"words not in the vocabulary\"}", "words not in the vocabulary");
        for (int i = 0; i < 40; i++) {
            String text = "w" + (i % 30) + " the w" + ((i * 7) % 30) + " cat".repeat(i % 5) + " w" + (i % 11);
            good(lines, "row" + i, "{\"id\":\"row" + i + "\",\"text\":\"" + text + "\"}", text);
        }
        return lines;
    }

    private static void good(List<String> lines, String id, String line, String text) {
        lines.add(line);
        GOOD.put(id, new String[]{text});
    }

    private static void goodPair(List<String> lines, String id, String line, String prompt, String response) {
        lines.add(line);
        GOOD.put(id, new String[]{prompt, response});
    }

    private static void bad(List<String> lines, String line, String reason) {
        lines.add(line);
        BAD.put((long) lines.size(), reason);
    }

    private static ScoreJob.Settings settings(String input, Path out, boolean overwrite) {
        return new ScoreJob.Settings(model.toString(), input, out.toString(), null, OPTIONS, false, 3, 8, overwrite);
    }

    @Test
    void jsonlRowsAreScoredOrQuarantinedAndMatchTheLmDirectly() throws Exception {
        SparkSession spark = TestSpark.get();
        Path input = tmp.resolve("rows.jsonl");
        List<String> lines = jsonlLines();
        Files.writeString(input, String.join("\n", lines) + "\n");
        Path out = tmp.resolve("out-jsonl");
        ExecutorModelCache.closeAll(); // another test of this class may have run first and cached the model
        int loadsBefore = ExecutorModelCache.loadCount();

        ScoreSummary summary = ScoreJob.run(spark, settings(input.toString(), out, false));

        assertEquals(lines.size(), summary.rowsRead());
        assertEquals(GOOD.size(), summary.rowsScored());
        assertEquals(BAD.size(), summary.rowsQuarantined());
        assertEquals(summary.rowsRead(), summary.rowsScored() + summary.rowsQuarantined());
        assertEquals("rows read=" + lines.size() + " scored=" + GOOD.size() + " quarantined=" + BAD.size(),
                summary.countsLine());
        assertEquals(1, ExecutorModelCache.loadCount() - loadsBefore,
                "one load per JVM for 3 partitions on 2 task threads");

        Dataset<Row> scores = spark.read().parquet(out.resolve("scores").toString());
        assertEquals(List.of("id", "n_tokens", "nll_sum", "nll_mean", "ppl"), Arrays.asList(scores.columns()));
        StructType st = scores.schema();
        assertEquals(DataTypes.StringType, st.apply("id").dataType());
        assertEquals(DataTypes.IntegerType, st.apply("n_tokens").dataType());
        assertEquals(DataTypes.DoubleType, st.apply("nll_sum").dataType());
        assertEquals(DataTypes.DoubleType, st.apply("nll_mean").dataType());
        assertEquals(DataTypes.DoubleType, st.apply("ppl").dataType());

        Dataset<Row> quarantine = spark.read().parquet(out.resolve("quarantine").toString());
        assertEquals(List.of("source", "source_row", "raw", "reason"), Arrays.asList(quarantine.columns()));
        assertEquals(DataTypes.LongType, quarantine.schema().apply("source_row").dataType());
        Map<Long, Row> qByLine = new TreeMap<>();
        for (Row r : quarantine.collectAsList()) {
            qByLine.put(r.getLong(1), r);
        }
        assertEquals(BAD.keySet(), qByLine.keySet(), "quarantined line numbers (1-based)");
        for (Map.Entry<Long, String> e : BAD.entrySet()) {
            Row r = qByLine.get(e.getKey());
            assertTrue(r.getString(3).startsWith(e.getValue()), "line " + e.getKey() + ": " + r.getString(3));
            assertEquals(input.toString(), r.getString(0));
            assertEquals(lines.get((int) (e.getKey() - 1)), r.getString(2));
        }

        Map<String, Row> byId = new HashMap<>();
        for (Row r : scores.collectAsList()) {
            byId.put(r.getString(0), r);
        }
        assertEquals(GOOD.keySet(), byId.keySet(), "ids kept when given, content hashes otherwise");

        // The same rows scored in this JVM without Spark, in one call.
        List<String> ids = new ArrayList<>(GOOD.keySet());
        List<SequenceScore> direct;
        try (CausalLm lm = CausalLm.load(model, OPTIONS)) {
            List<ScoringInput> inputs = new ArrayList<>();
            for (String id : ids) {
                String[] row = GOOD.get(id);
                inputs.add(row.length == 1 ? lm.tokenizer().forText(row[0])
                        : lm.tokenizer().forPromptResponse(row[0], row[1]));
            }
            Scorer scorer = lm.scorer();
            direct = scorer.score(inputs);
        }
        double maxRel = 0;
        for (int i = 0; i < ids.size(); i++) {
            Row r = byId.get(ids.get(i));
            SequenceScore d = direct.get(i);
            assertEquals(d.nTokens(), r.getInt(1), ids.get(i));
            double rel = Math.abs(r.getDouble(2) - d.nllSum()) / Math.abs(d.nllSum());
            maxRel = Math.max(maxRel, rel);
            assertEquals(r.getDouble(2) / r.getInt(1), r.getDouble(3), 1e-12, "nll_mean = nll_sum / n_tokens");
            assertEquals(Math.exp(r.getDouble(3)), r.getDouble(4), 1e-9 * r.getDouble(4), "ppl = exp(nll_mean)");
        }
        System.out.printf("score job vs direct lm scoring: max relative nll_sum difference %.3g over %d rows"
                + " (tolerance 1e-4)%n", maxRel, ids.size());
        assertTrue(maxRel < 1e-4, "max relative nll_sum difference " + maxRel);
        assertEquals(3, byId.get("7").getInt(1), "only the response's 3 tokens are scored");
        assertTrue(byId.get("long").getInt(1) > 32, "the long row was scored past the context");

        JsonNode json = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(lines.size(), json.get("rows_read").asLong());
        assertEquals(GOOD.size(), json.get("rows_scored").asLong());
        assertEquals(BAD.size(), json.get("rows_quarantined").asLong());
        assertEquals(3, json.get("quarantine_reasons").get("row: malformed JSON").asLong());
        assertEquals(1, json.get("quarantine_reasons").get("row: nothing to score after tokenization").asLong());
        assertEquals(model.toAbsolutePath().normalize().toString(), json.get("model").asText());
        assertEquals(input.toString(), json.get("input").asText());
        assertTrue(json.get("code_version").asText().startsWith("0.1.0"), json.get("code_version").asText());
        assertTrue(json.get("timings").get("total_seconds").asDouble() > 0);

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> ScoreJob.run(spark, settings(input.toString(), out, false)));
        assertTrue(again.getMessage().contains("--overwrite"), again.getMessage());
    }

    /**
     * A line with invalid UTF-8 is quarantined alone, naming file, line and reason, and the other rows are scored
     * under the ids curate's read path gives the same rows: read here by curation's own {@code SparkSources.read}
     * with a generic JSONL mapping, once for the prompt/response rows and once for the text rows (prompt = text).
     */
    @Test
    void invalidUtf8QuarantinesOnlyItsLineAndIdsAreTheCorpusIds() throws Exception {
        SparkSession spark = TestSpark.get();
        Path input = tmp.resolve("mixed.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(utf8("{\"prompt\":\"user :  w3\",\"response\":\"w4\\u00a0w5 w6 \"}\n")); // NBSP, spaces
        bytes.writeBytes(utf8("{\"text\":\"\uFF57\uFF11 the cat\"}\n")); // full-width w1: NFKC makes it "w1"
        bytes.writeBytes("{\"text\":\"w1 caf\u00e9 w2\"}\n".getBytes(StandardCharsets.ISO_8859_1)); // 0xE9 alone
        bytes.writeBytes(utf8("{\"id\":\"given\",\"text\":\"the cat sat\"}\n"));
        bytes.writeBytes(utf8("{\"prompt\":\"user : hello\",\"response\":\"world\"}\n"));
        Files.write(input, bytes.toByteArray());
        Path out = tmp.resolve("out-utf8");

        ScoreSummary summary = ScoreJob.run(spark, settings(input.toString(), out, false));

        assertEquals("rows read=5 scored=4 quarantined=1", summary.countsLine());
        List<Row> quarantine = spark.read().parquet(out.resolve("quarantine").toString()).collectAsList();
        assertEquals(1, quarantine.size());
        Row q = quarantine.get(0);
        assertEquals(input.toString(), q.getString(0), "the file");
        assertEquals(3L, q.getLong(1), "the line");
        assertEquals("row: invalid UTF-8 at byte 15 of the row", q.getString(3));
        assertEquals("{\"text\":\"w1 caf\uFFFD w2\"}", q.getString(2), "raw, the bad byte shown as U+FFFD");

        ColumnMapping pairs = new ColumnMapping("prompt", "response", ColumnMapping.Value.constant("d"),
                ColumnMapping.Value.constant(CorpusRow.BENIGN));
        ColumnMapping texts = new ColumnMapping("text", null, ColumnMapping.Value.constant("d"),
                ColumnMapping.Value.constant(CorpusRow.BENIGN));
        Map<Long, String> curated = new TreeMap<>();
        for (ColumnMapping m : List.of(pairs, texts)) {
            SourceContext ctx = SourceContext.of("curated", Splits.EVAL);
            for (Parsed p : SparkSources.read(spark, new SourceSpec("curated", SourceFormat.JSONL, input.toString()),
                    ctx, m).collect()) {
                if (p instanceof Parsed.Kept k) {
                    assertEquals(null, curated.put(p.sourceRow(), k.row().id()), "row " + p.sourceRow());
                } else if (p.sourceRow() == 3) {
                    assertEquals(q.getString(3), ((Parsed.Quarantined) p).row().reason(), "one reader, one reason");
                }
            }
        }
        assertEquals(Map.of(1L, ContentHash.of("user : w3", "w4 w5 w6"), 2L, ContentHash.of("w1 the cat", ""),
                4L, ContentHash.of("the cat sat", ""), 5L, ContentHash.of("user : hello", "world")), curated,
                "curate's ids: normalised content, a text row as prompt = text and an empty response");
        List<String> scored = spark.read().parquet(out.resolve("scores").toString()).select("id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(List.of(curated.get(1L), curated.get(2L), "given", curated.get(5L)).stream().sorted().toList(),
                scored.stream().sorted().toList(), "score's ids are curate's, except the one given");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parquetRowsUseTheirRowNumbersAndTheSameRules() throws Exception {
        SparkSession spark = TestSpark.get();
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, true)
                .add("text", DataTypes.StringType, true)
                .add("other", DataTypes.StringType, true);
        List<Row> rows = List.of(
                RowFactory.create(1L, "hello world", "x"),
                RowFactory.create(null, "the cat sat", "x"),
                RowFactory.create(3L, null, "x"),
                RowFactory.create(4L, " ", "x"));
        Path input = tmp.resolve("rows.parquet");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(input.toString());
        Path out = tmp.resolve("out-parquet");

        ScoreSummary summary = ScoreJob.run(spark, settings(input.toString(), out, true));

        assertEquals("rows read=4 scored=2 quarantined=2", summary.countsLine());
        assertEquals("parquet", summary.format());
        Map<Long, String> reasons = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("quarantine").toString()).collectAsList()) {
            reasons.put(r.getLong(1), r.getString(3));
            assertTrue(r.getString(0).endsWith(".parquet") && r.getString(0).contains("rows.parquet"), r.getString(0));
        }
        assertEquals(Map.of(3L, "text: missing (give text, or prompt and response)", 4L,
                "text: empty after normalisation"), reasons);
        List<String> ids = spark.read().parquet(out.resolve("scores").toString()).select("id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(List.of("1", ContentHash.of("the cat sat", "")).stream().sorted().toList(),
                ids.stream().sorted().toList());
    }

    @Test
    void emptyInputGivesEmptyOutputsWithTheirSchemas() throws Exception {
        SparkSession spark = TestSpark.get();
        Path input = tmp.resolve("empty.jsonl");
        Files.writeString(input, "");
        Path out = tmp.resolve("out-empty");
        assertEquals("rows read=0 scored=0 quarantined=0",
                ScoreJob.run(spark, settings(input.toString(), out, false)).countsLine());
        assertEquals(List.of("id", "n_tokens", "nll_sum", "nll_mean", "ppl"),
                Arrays.asList(spark.read().parquet(out.resolve("scores").toString()).columns()));
    }

    @Test
    void badInputsFailBeforeAnyWorkNamingWhatIsWrong() throws Exception {
        SparkSession spark = TestSpark.get();
        Path out = tmp.resolve("out-errors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoreJob.run(spark, settings(tmp.resolve("nope.jsonl").toString(), out, false)));
        assertEquals("input file not found: " + tmp.resolve("nope.jsonl"), e.getMessage());

        Path input = tmp.resolve("one.jsonl");
        Files.writeString(input, "{\"text\":\"hello\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> ScoreJob.run(spark, new ScoreJob.Settings(
                tmp.resolve("no-model").toString(), input.toString(), out.toString(), null, OPTIONS, false, 0, 8,
                false)));
        assertEquals("model directory not found: " + tmp.resolve("no-model"), e.getMessage());

        Path wrong = tmp.resolve("wrong.parquet");
        spark.createDataFrame(List.of(RowFactory.create("x")), new StructType().add("body", DataTypes.StringType))
                .write().parquet(wrong.toString());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScoreJob.run(spark, settings(wrong.toString(), out, false)));
        assertTrue(e.getMessage().startsWith("input " + wrong + " has no column 'text'"), e.getMessage());

        StructType promptOnly = new StructType().add("prompt", DataTypes.StringType);
        e = assertThrows(IllegalArgumentException.class, () -> ScoreJob.validateParquetSchema(promptOnly, "f"));
        assertTrue(e.getMessage().startsWith("input f has no column 'response'"), e.getMessage());
        StructType intText = new StructType().add("text", DataTypes.IntegerType);
        e = assertThrows(IllegalArgumentException.class, () -> ScoreJob.validateParquetSchema(intText, "f"));
        assertEquals("input f: column 'text' must be a string, got int", e.getMessage());
    }
}
