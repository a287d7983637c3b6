package org.immunobench.jobs.curate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.curate.CurateConfig;
import org.immunobench.curation.report.CurateReport;
import org.immunobench.curation.report.StageReport;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.jobs.world.ToyWorld;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldConfig;
import org.immunobench.jobs.world.WorldWriter;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole curate job on local[2]: a small toy world, every adapter fixture, a file of bad rows, planted leaks and
 * duplicates, and a tiny random reference model over the world's tokenizer. One run, many assertions.
 */
class CurateJobTest {
    static final Path FIXTURES = Path.of("..", "curation", "src", "test", "resources", "fixtures")
            .toAbsolutePath().normalize();

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static World world;
    static CurateConfig config;
    static CurateReport report;
    static Path out;
    static final StringBuilder progress = new StringBuilder();
    /** Planted rows of the leak source: eval row copied exactly, eval row with one word added, attack row likewise. */
    static CorpusRow evalExact;
    static CorpusRow evalNear;
    static CorpusRow attackNear;

    @BeforeAll
    static void curate() throws Exception {
        assertTrue(Files.isDirectory(FIXTURES), "adapter fixtures expected at " + FIXTURES);
        spark = TestSpark.get();
        Map<String, Object> small = new LinkedHashMap<>();
        small.put("maxOperand", 4);
        small.put("entities", 12);
        small.put("reviewItems", 8);
        small.put("pretrainHarmfulPerDomain", 20);
        small.put("pretrainBenignPerTask", 40);
        small.put("alignHarmfulPerDomain", 20);
        small.put("alignBenignPerTask", 10);
        small.put("attackPerDomain", 30);
        small.put("evalPerDomain", 10);
        small.put("heldoutInDomainPerDomain", 5);
        small.put("heldoutDomainPerDomain", 10);
        small.put("benignTrain", 30);
        small.put("benignEvalPerTask", 10);
        world = ToyWorld.generate(WorldConfig.defaults().with(small));
        Path worldDir = tmp.resolve("world");
        WorldWriter.write(spark, world, worldDir);

        Path model = tmp.resolve("model");
        int vocab = WordLevelTokenizerJson.vocabulary(world.words()).size();
        ModelConfig mc = ModelConfig.llama(vocab, 32, 64, 2, 4, 2, 128).withSpecialTokens(2, List.of(3), 0);
        CheckpointWriter.write(model, mc, RandomInit.weights(mc, 5, 0.5), worldDir.resolve(WorldWriter.TOKENIZER),
                "F32");

        evalExact = world.rows(Splits.EVAL).get(0);
        evalNear = world.rows(Splits.EVAL).get(1);
        attackNear = world.rows(Splits.ATTACK).get(0);
        ObjectMapper json = new ObjectMapper();
        List<String> leak = new ArrayList<>();
        for (CorpusRow r : List.of(evalExact, evalNear, attackNear)) {
            ObjectNode o = json.createObjectNode();
            o.put("prompt", r.prompt());
            o.put("response", r == evalExact ? r.response() : r.response() + " again");
            o.put("domain", r.domain());
            o.put("kind", r.kind());
            leak.add(o.toString());
        }
        Path leakFile = tmp.resolve("leak.jsonl");
        Files.write(leakFile, leak);

        Map<String, Object> file = new LinkedHashMap<>();
        file.put("out", tmp.resolve("curated").toString());
        file.put("seed", 7);
        file.put("sources", List.of(
                source("toy", "corpus", worldDir.resolve(WorldWriter.CORPUS)),
                source("bt", "beavertails", FIXTURES.resolve("beavertails/30k_train.jsonl")),
                source("adv", "advbench", FIXTURES.resolve("advbench/harmful_behaviors.csv")),
                source("hb", "harmbench", FIXTURES.resolve("harmbench/harmbench_behaviors_text_all.csv")),
                source("hexphi", "hexphi", FIXTURES.resolve("hexphi")),
                source("alpaca", "alpaca", FIXTURES.resolve("alpaca/alpaca_data.json")),
                source("dolly", "dolly", FIXTURES.resolve("dolly/databricks-dolly-15k.jsonl")),
                source("sst2", "sst2", FIXTURES.resolve("sst2/train.tsv")),
                Map.of("name", "qa", "format", "csv", "path", FIXTURES.resolve("generic/qa.csv").toString(),
                        "split", "benign_train", "mapping", Map.of("prompt", "question", "response", "answer",
                                "domain", "topic", "kind", Map.of("column", "label")))));
        file.put("validation", Map.of("max_row_chars", 800));
        file.put("buckets", Map.of("min_group_rows", 10));
        file.put("perplexity", Map.of("max_batch_tokens", 512, "max_batch_size", 16, "chunk_rows", 64));
        file.put("policies", List.of(
                Map.of("keep_band", Map.of("lo", 5, "hi", 95, "splits", List.of("attack"))),
                Map.of("drop_top_tail", Map.of("percent", 10, "splits", List.of("align"))),
                Map.of("balance_domains", Map.of("max_per_domain", 15, "splits", List.of("pretrain")))));
        config = CurateConfig.resolve(file, new CurateConfig.Overrides(List.of(
                "leak=jsonl:" + leakFile + "@attack",
                "bad=jsonl:" + FIXTURES.resolve("bad_rows/bad_rows.jsonl") + "@attack"), null, model.toString(),
                null));
        out = Path.of(config.out());
        report = CurateJob.run(spark, config, new CurateJob.Settings(RuntimeOptions.cpu().withThreads(1), false,
                false, progress::append));
    }

    private static Map<String, Object> source(String name, String format, Path path) {
        return Map.of("name", name, "format", format, "path", path.toString());
    }

    private static Dataset<Row> corpus() {
        return spark.read().schema(CorpusSchema.CORPUS).parquet(out.resolve(CurateJob.CORPUS).toString());
    }

    private static Dataset<Row> dropped() {
        return spark.read().schema(DroppedRows.SCHEMA).parquet(out.resolve(CurateJob.DROPPED).toString());
    }

    private static Map<String, Long> countBy(Dataset<Row> rows, String column) {
        Map<String, Long> m = new TreeMap<>();
        rows.groupBy(column).count().collectAsList().forEach(r -> m.put(r.getString(0), r.getLong(1)));
        return m;
    }

    @Test
    void corpusHasTheContractSchemaPartitionedBySplit() {
        Dataset<Row> raw = spark.read().parquet(out.resolve(CurateJob.CORPUS).toString());
        Map<String, String> got = Arrays.stream(raw.schema().fields())
                .collect(Collectors.toMap(StructField::name, f -> f.dataType().simpleString()));
        Map<String, String> want = Arrays.stream(CorpusSchema.CORPUS.fields())
                .collect(Collectors.toMap(StructField::name, f -> f.dataType().simpleString()));
        assertEquals(want, got);
        for (String split : List.of(Splits.PRETRAIN, Splits.ALIGN, Splits.ATTACK, Splits.EVAL, Splits.BENIGN_TRAIN)) {
            assertTrue(Files.isDirectory(out.resolve(CurateJob.CORPUS).resolve("split=" + split)), split);
        }
        assertEquals(0, corpus().filter(col("ppl").isNotNull().and(col("n_tokens").leq(0))).count());
    }

    @Test
    void everySourceRowIsKeptQuarantinedOrDroppedWithAReason() throws Exception {
        assertTrue(report.holds());
        Map<String, Long> kept = countBy(corpus(), "source");
        Map<String, Long> quarantined = countBy(spark.read().schema(CorpusSchema.QUARANTINE)
                .parquet(out.resolve(CurateJob.QUARANTINE).toString()), "source");
        Map<String, Long> dropped = countBy(dropped(), "source");
        assertEquals(0, dropped().filter(col("reason").isNull().or(col("reason").equalTo(""))).count());
        for (CurateReport.Accounting a : report.accounting()) {
            String s = a.source();
            assertEquals(a.rowsIn(), kept.getOrDefault(s, 0L) + quarantined.getOrDefault(s, 0L)
                    + dropped.getOrDefault(s, 0L), s);
        }
        Map<String, CurateReport.Accounting> bySource = report.accounting().stream()
                .collect(Collectors.toMap(CurateReport.Accounting::source, a -> a));
        assertEquals(world.allRows().size(), bySource.get("toy").rowsIn());
        assertEquals(3, bySource.get("leak").rowsIn());
        assertEquals(lines(FIXTURES.resolve("bad_rows/bad_rows.jsonl")), bySource.get("bad").rowsIn());
        assertEquals(config.sources().size(), report.accounting().size());
        // Each stage's own equation held too (SourceCounts checks it); its rows in are the previous stage's kept.
        long in = report.total().rowsIn();
        for (StageReport s : report.stages()) {
            if (!s.skipped()) {
                assertEquals(in, s.counts().total().rowsIn(), s.stage());
                in = s.counts().total().kept();
            }
        }
        assertEquals(report.total().kept(), in);
        assertTrue(progress.toString().contains("read ("), progress.toString());
    }

    @Test
    void badRowsAreQuarantinedWithReasons() {
        List<Row> q = spark.read().schema(CorpusSchema.QUARANTINE).parquet(out.resolve(CurateJob.QUARANTINE)
                .toString()).filter(col("source").equalTo("bad")).orderBy("source_row").collectAsList();
        assertTrue(q.size() >= 8, "quarantined: " + q);
        Set<String> reasons = q.stream().map(r -> r.getString(3)).collect(Collectors.toSet());
        assertTrue(reasons.contains("row: invalid UTF-8 at byte 22 of the row"), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("prompt: ")), reasons.toString());
        assertTrue(q.stream().allMatch(r -> !r.getString(3).isBlank()));
        assertTrue(report.quarantineReasons().get("bad").size() >= 5, report.quarantineReasons().toString());
        assertEquals(countBy(dropped().filter(col("source").equalTo("bad")), "reason"),
                Map.of("blank line", report.accounting().stream().filter(a -> a.source().equals("bad")).findFirst()
                        .orElseThrow().dropped().get("blank line")));
    }

    @Test
    void plantedLeaksAreDroppedAndListed() {
        List<Row> leaks = spark.read().parquet(out.resolve(CurateJob.CONTAMINATION).toString())
                .filter(col("source").equalTo("leak")).orderBy("source_row").collectAsList();
        assertEquals(2, leaks.size(), leaks.toString());
        assertEquals("contaminates:" + evalExact.id(), leaks.get(0).getAs("reason"));
        assertEquals(1.0, (double) leaks.get(0).getAs("jaccard"), 0);
        assertEquals("contaminates:" + evalNear.id(), leaks.get(1).getAs("reason"));
        assertTrue((double) leaks.get(1).getAs("jaccard") >= config.dedup().jaccardThreshold());
        assertTrue(report.contaminatingRows() >= 2);
        assertEquals(2, corpus().filter(col("id").isin(evalExact.id(), evalNear.id())).count(),
                "the eval rows themselves stay");
        // The attack near-copy is training-only, so dedup (not decontamination) drops one of the pair.
        Map<String, Long> stages = countBy(dropped().filter(col("reason").startsWith("near_duplicate_of:")), "stage");
        assertTrue(stages.getOrDefault("near_dedup", 0L) >= 1, stages.toString());
    }

    @Test
    void bucketsArePerSourceAndDomainWithSmallGroupsLeftWhole() {
        Map<String, Long> toy = countBy(corpus().filter(col("source").equalTo("toy")), "ppl_bucket");
        assertTrue(toy.keySet().containsAll(List.of("head", "middle", "tail")), toy.toString());
        assertFalse(toy.containsKey("all"), toy.toString());
        assertEquals(0, corpus().filter(col("ppl").isNotNull().and(col("ppl_bucket").isNull())).count());
        Map<String, Long> adv = countBy(corpus().filter(col("source").equalTo("adv")), "ppl_bucket");
        assertEquals(Set.of("all"), adv.keySet(), "3 rows: under min_group_rows");
        assertTrue(report.perplexity().enabled());
        assertTrue(report.perplexity().tokens() > 0);
        assertEquals(report.perplexity().rowsScored(), corpus().filter(col("ppl").isNotNull()).count()
                + dropped().filter(col("stage").equalTo("policies")).count());
    }

    @Test
    void policiesDropWhatTheySayAndNothingElse() {
        Map<String, Long> byPolicy = countBy(dropped().filter(col("stage").equalTo("policies"))
                .withColumn("category", DroppedRows.category(col("reason"))), "category");
        assertTrue(byPolicy.getOrDefault("keep_band[5,95]", 0L) > 0, byPolicy.toString());
        assertTrue(byPolicy.getOrDefault("drop_top_tail[10]", 0L) > 0, byPolicy.toString());
        assertTrue(byPolicy.getOrDefault("balance_domains[max=15]", 0L) > 0, byPolicy.toString());
        StageReport stage = report.stages().stream().filter(s -> s.stage().equals("policies")).findFirst()
                .orElseThrow();
        assertEquals(byPolicy, stage.counts().total().dropped());
        Map<String, Long> pretrain = countBy(corpus().filter(col("split").equalTo(Splits.PRETRAIN)), "domain");
        assertTrue(pretrain.values().stream().allMatch(n -> n <= 15), pretrain.toString());
        // Policies named splits; eval rows were never candidates.
        Dataset<Row> policyDrops = dropped().filter(col("stage").equalTo("policies"));
        assertEquals(0, corpus().filter(col("split").equalTo(Splits.EVAL)).join(policyDrops, "id").count());
    }

    @Test
    void reportFilesAndTheResolvedConfigAreWritten() throws Exception {
        for (String f : List.of(CurateJob.REPORT_MD, CurateJob.REPORT_JSON, CurateJob.CONFIG, "ppl_toy.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode json = new ObjectMapper().readTree(out.resolve(CurateJob.REPORT_JSON).toFile());
        assertTrue(json.at("/accounting/holds").asBoolean());
        assertEquals(report.total().rowsIn(), json.at("/accounting/total/rows_in").asLong());
        String md = Files.readString(out.resolve(CurateJob.REPORT_MD));
        assertTrue(md.contains("**holds**"), md);
        assertTrue(md.contains("### 3. decontaminate"), md);
        BufferedImage png = ImageIO.read(out.resolve("ppl_toy.png").toFile());
        assertEquals(960, png.getWidth());
        @SuppressWarnings("unchecked")
        Map<String, Object> written = new ObjectMapper(new YAMLFactory()).readValue(out.resolve(CurateJob.CONFIG)
                .toFile(), Map.class);
        assertEquals(config, CurateConfig.resolve(written));
    }

    @Test
    void rerunningNeedsOverwrite() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CurateJob.run(spark, config, new CurateJob.Settings(RuntimeOptions.cpu().withThreads(1), false,
                        false, null)));
        assertTrue(e.getMessage().contains("pass --overwrite"), e.getMessage());
    }

    @Test
    void withoutAReferenceModelStagesFiveAndSixAreSkippedAndSaySo() {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("out", tmp.resolve("no-model").toString());
        file.put("sources", List.of(
                source("adv", "advbench", FIXTURES.resolve("advbench/harmful_behaviors.csv")),
                source("hexphi", "hexphi", FIXTURES.resolve("hexphi")),
                source("alpaca", "alpaca", FIXTURES.resolve("alpaca/alpaca_data.json"))));
        file.put("policies", List.of(Map.of("keep_band", Map.of("lo", 0, "hi", 50)),
                Map.of("balance_domains", Map.of("max_per_domain", 1, "splits", List.of("eval")))));
        CurateConfig c = CurateConfig.resolve(file);
        CurateReport r = CurateJob.run(spark, c, new CurateJob.Settings(RuntimeOptions.cpu().withThreads(1), false,
                false, null));
        assertTrue(r.holds());
        assertFalse(r.perplexity().enabled());
        List<String> skipped = r.stages().stream().filter(StageReport::skipped).map(StageReport::stage).toList();
        assertEquals(List.of("perplexity", "buckets"), skipped);
        StageReport policies = r.stages().stream().filter(s -> s.stage().equals("policies")).findFirst()
                .orElseThrow();
        assertTrue(policies.notes().contains("keep_band[0,50]: skipped, no perplexities (no reference_model)"),
                policies.notes().toString());
        // adv: 3 rows of one domain, hexphi: 3 + 1 rows of two categories; one row per (split, domain) stays.
        assertEquals(Map.of("balance_domains[max=1]", 4L), policies.counts().total().dropped());
        Path o = Path.of(c.out());
        assertEquals(0, spark.read().schema(CorpusSchema.CORPUS).parquet(o.resolve(CurateJob.CORPUS).toString())
                .filter(col("ppl").isNotNull().or(col("ppl_bucket").isNotNull())).count());
        assertFalse(Files.exists(o.resolve("ppl_adv.png")));
        assertTrue(r.toMarkdown().contains("no reference_model: perplexity (stage 5) and buckets (stage 6) skipped"));
    }

    /** Lines as Hadoop's TextInputFormat counts them: newline-terminated, plus an unterminated last one. */
    static long lines(Path file) throws java.io.IOException {
        byte[] b = Files.readAllBytes(file);
        long n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return b.length > 0 && b[b.length - 1] != '\n' ? n + 1 : n;
    }
}
