package org.immunobench.jobs.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.CorpusSchema;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldWriterTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.get();
    }

    @Test
    void writesAWorldThatReadsBackRowForRow(@TempDir Path tmp) throws Exception {
        WorldConfig config = WorldConfig.defaults().with(Map.of("pretrainHarmfulPerDomain", 20,
                "pretrainBenignPerTask", 300, "alignHarmfulPerDomain", 10, "alignBenignPerTask", 10,
                "attackPerDomain", 10, "evalPerDomain", 5, "heldoutInDomainPerDomain", 5,
                "heldoutDomainPerDomain", 5, "benignTrain", 20, "benignEvalPerTask", 10));
        World world = ToyWorld.generate(config);
        Path out = tmp.resolve("world");
        WorldSummary summary = WorldWriter.write(spark, world, out, false);

        assertTrue(Files.isRegularFile(out.resolve(WorldWriter.TOKENIZER)));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of(out), siblings.toList(), "no temp directory left behind");
        }
        Dataset<Row> corpus = WorldWriter.readCorpus(spark, out);
        // Spark's file sources read every column as nullable, so compare names and types only.
        assertEquals(Arrays.stream(CorpusSchema.CORPUS.fields()).map(f -> f.name() + ":" + f.dataType().simpleString())
                .toList(), Arrays.stream(corpus.schema().fields()).map(f -> f.name() + ":"
                + f.dataType().simpleString()).toList());
        List<CorpusRow> back = corpus.collectAsList().stream().map(CorpusSchema::fromRow).toList();
        assertEquals(new HashSet<>(world.allRows()), new HashSet<>(back));
        assertEquals(world.allRows().size(), back.size());
        for (String split : Splits.ALL) {
            assertEquals(summary.rowsPerSplit().get(split),
                    corpus.filter(corpus.col("split").equalTo(split)).count(), split);
        }
        try (Stream<Path> dirs = Files.list(out.resolve(WorldWriter.CORPUS))) {
            assertEquals(Splits.ALL.size(), dirs.filter(Files::isDirectory).count(), "one partition per split");
        }

        JsonNode json = new ObjectMapper().readTree(out.resolve(WorldWriter.SUMMARY).toFile());
        assertEquals(WorldWriter.FORMAT, json.get("format").asText());
        assertEquals(ToyWorld.VERSION, json.get("generator_version").asInt());
        assertEquals(config, ConfigBinder.bind(json.get("config"), WorldConfig.class, "config"));
        assertEquals(summary.rows(), json.get("rows").asLong());
        assertEquals(summary.vocabSize(), json.get("vocab_size").asInt());
        assertEquals(config.heldOutDomains(), (int) world.domains().stream().filter(HarmDomain::heldOut).count());
        String someDomain = world.attackDomains().get(0).name();
        assertEquals(config.attackPerDomain(), json.at("/counts/attack/harmful/" + someDomain).asInt());
    }

    @Test
    void refusesToReplaceAWorldUnlessToldAndThenReplacesIt(@TempDir Path tmp) {
        WorldConfig small = WorldConfig.defaults().with(Map.of("pretrainHarmfulPerDomain", 2,
                "pretrainBenignPerTask", 300, "alignHarmfulPerDomain", 1, "alignBenignPerTask", 1,
                "attackPerDomain", 1, "evalPerDomain", 1, "heldoutInDomainPerDomain", 1,
                "heldoutDomainPerDomain", 1, "benignTrain", 1, "benignEvalPerTask", 1));
        Path out = tmp.resolve("world");
        WorldWriter.write(spark, ToyWorld.generate(small), out, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorldWriter.write(spark, ToyWorld.generate(small.with(Map.of("seed", 5))), out, false));
        assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
        World second = ToyWorld.generate(small.with(Map.of("seed", 5)));
        WorldWriter.write(spark, second, out, true);
        List<CorpusRow> back = WorldWriter.readCorpus(spark, out).collectAsList().stream()
                .map(CorpusSchema::fromRow).toList();
        assertEquals(new HashSet<>(second.allRows()), new HashSet<>(back));
        assertThrows(IllegalArgumentException.class, () -> WorldWriter.readCorpus(spark, tmp.resolve("nothing")));
    }

}
