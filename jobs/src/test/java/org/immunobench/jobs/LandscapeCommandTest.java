package org.immunobench.jobs;

import ai.djl.Device;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.jobs.landscape.LandscapeJob;
import org.immunobench.jobs.landscape.LandscapeRow;
import org.immunobench.jobs.landscape.LandscapeSpec;
import org.immunobench.jobs.run.TinyWorld;
import org.immunobench.jobs.run.WorldContext;
import org.immunobench.jobs.world.World;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code landscape} over the tiny world's random models: tables, charts, and the grid's anchor points. */
class LandscapeCommandTest {
    private static final String[] SMALL = {"--harmful-prompts", "6", "--nll-rows", "6", "--benign-rows", "6",
        "--max-new-tokens", "6"};
    private static Path world;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        DjlRuntime.start(1);
        world = TinyWorld.get();
    }

    private static LandscapeSpec spec(String... args) {
        LandscapeCommand c = new LandscapeCommand();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(SMALL))
                .toArray(String[]::new);
        new CommandLine(c).parseArgs(all);
        return c.spec(1);
    }

    private static LandscapeJob.Result run(LandscapeSpec s, Path out) {
        return LandscapeJob.run(TestSpark.get(), s, out, false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static List<LandscapeRow> rows(LandscapeJob.Result r) {
        return LandscapeJob.ROWS.fromRows(TestSpark.get().read().parquet(r.table().toString()).collectAsList());
    }

    private static LandscapeRow at(List<LandscapeRow> rows, double a, double b) {
        return rows.stream().filter(r -> r.a() == a && r.b() == b).findFirst()
                .orElseThrow(() -> new AssertionError("no point (" + a + ", " + b + ") in " + rows));
    }

    /** Mean NLL of the held-out harmful answers the landscape scores, under a checkpoint on disk. */
    private static double harmfulNll(Path checkpoint) {
        World w = WorldContext.load(world);
        CheckpointReader.LoadedCheckpoint c = CheckpointReader.read(checkpoint);
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(world));
                LlamaWeights weights = LlamaWeights.fromHost(c.config(), c.tensors(), Device.cpu())) {
            List<ScoringInput> in = WorldContext.harmfulNll(w, "attack", 6).stream()
                    .map(r -> tokenizer.forPromptResponse(r.prompt(), r.response())).toList();
            double sum = 0;
            long tokens = 0;
            for (SequenceScore s : new Scorer(weights, RuntimeOptions.cpu()).score(in)) {
                sum += s.nllSum();
                tokens += s.nTokens();
            }
            return sum / tokens;
        }
    }

    private static void assertPng(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " missing");
        assertNotNull(ImageIO.read(file.toFile()), file + " is not an image");
    }

    @Test
    void interpolationFromTheAlignedModelToAnotherCheckpoint() throws Exception {
        Path out = tmp.resolve("run");
        LandscapeJob.Result r = run(spec("--world", world.toString(), "--axis", "world:base", "--out", out.toString(),
                "--range", "0:1", "--points", "3"), out);
        List<LandscapeRow> rows = rows(r);
        assertEquals(3, rows.size());
        assertEquals(List.of(0.0, 0.5, 1.0), rows.stream().map(LandscapeRow::a).toList());
        assertEquals(harmfulNll(world.resolve("models/aligned")), at(rows, 0, 0).harmfulNll(), 1e-12,
                "α = 0 is the origin itself");
        assertEquals(harmfulNll(world.resolve("models/base")), at(rows, 1, 0).harmfulNll(), 1e-4,
                "α = 1 is the other checkpoint (up to float rounding of aligned + (base − aligned))");
        for (LandscapeRow row : rows) {
            assertEquals(1, row.dims());
            assertEquals(6, row.nHarmful());
            assertTrue(row.harmfulRate() >= 0 && row.harmfulRate() <= 1);
            assertTrue(Double.isFinite(row.generalNll()) && row.generalNll() > 0);
        }
        Path dir = out.resolve("landscape");
        assertPng(dir.resolve("landscape-1d-rates.png"));
        assertPng(dir.resolve("landscape-1d-nll.png"));
        String json = Files.readString(dir.resolve("landscape-1d.json"));
        assertTrue(json.contains("\"points\" : 3"), json);
    }

    @Test
    void aTwoDimensionalSliceAlongAnAttackAndARandomDirection() throws Exception {
        Path out = tmp.resolve("run");
        LandscapeJob.Result r = run(spec("--world", world.toString(), "--out", out.toString(),
                "--axis", "attack:harmful_sft,steps=2,batch=4,samples=8,lr=1e-3", "--axis", "random",
                "--range", "-1:1", "--points", "3"), out);
        List<LandscapeRow> rows = rows(r);
        assertEquals(3 * 3, rows.size());
        assertEquals(harmfulNll(world.resolve("models/aligned")), at(rows, 0, 0).harmfulNll(), 1e-12);
        Path attacked = out.resolve("landscape/landscape-2d-axis1");
        assertTrue(Files.isRegularFile(attacked.resolve("config.json")), "the attacked model is kept");
        assertEquals(harmfulNll(attacked), at(rows, 1, 0).harmfulNll(), 1e-4);
        assertTrue(harmfulNll(attacked) < at(rows, 0, 0).harmfulNll(), "two harmful SFT steps lower the harmful NLL");
        for (String metric : List.of("harmful_rate", "harmful_nll", "general_nll")) {
            assertPng(out.resolve("landscape/landscape-2d-" + metric + ".png"));
        }
        assertEquals(r.pngs().size(), 3);
    }

    @Test
    void badAxesRangesAndAnExistingLandscapeAreUsageErrors() throws Exception {
        Path out = tmp.resolve("run");
        String w = world.toString();
        assertUsage("--axis attack:refusal_direction: attack kind 'refusal_direction' does not fine-tune",
                "landscape", "--world", w, "--out", out.toString(), "--axis", "attack:refusal_direction");
        assertUsage("harmful_sft.lrr: unknown key", "landscape", "--world", w, "--out", out.toString(), "--axis",
                "attack:harmful_sft,lrr=1");
        assertUsage("--axis /nope: no checkpoint", "landscape", "--world", w, "--out", out.toString(), "--axis",
                "/nope");
        assertUsage("--axis: give it once", "landscape", "--world", w, "--out", out.toString(), "--axis", "random",
                "--axis", "random", "--axis", "random");
        assertUsage("--range 1:0", "landscape", "--world", w, "--out", out.toString(), "--axis", "random",
                "--range", "1:0");
        Files.createDirectories(out.resolve("landscape/landscape-1d"));
        assertUsage("exists", "landscape", "--world", w, "--out", out.toString(), "--axis", "random");
    }

    private static synchronized void assertUsage(String expected, String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.execute(args);
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(Cli.USAGE, code, text);
            assertTrue(text.contains(expected), text);
        } finally {
            System.setErr(oldErr);
        }
    }
}
