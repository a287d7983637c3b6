package org.immunobench.jobs;

import org.immunobench.lm.CausalLm;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and messages of the command line; nothing here starts Spark. */
class CliTest {
    @TempDir
    Path tmp;

    /** Exit code, stdout, stderr. */
    record Run(int code, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Spark's logging may announce itself on stderr first when no log4j2 config is given (as in tests). */
    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void helpListsTheSubcommands() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String sub : new String[]{"score", "init-model", "bench"}) {
            assertTrue(r.out().contains(sub), r.out());
        }
        for (String sub : new String[]{"score", "init-model", "bench"}) {
            Run h = run(sub, "--help");
            assertEquals(0, h.code(), sub);
            assertTrue(h.out().startsWith("Usage: immunobench " + sub), h.out());
        }
        assertTrue(run("score", "--help").out().contains("--max-batch-tokens"));
    }

    @Test
    void usageErrorsExitTwoAndNameTheFlag() {
        Run r = run("score", "--model", "m", "--input", "x.jsonl", "--output", "o", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'--bogus'"), r.err());
        r = run("score", "--input", "x.jsonl", "--output", "o");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model"), r.err());
        r = run("init-model", "--out", tmp.resolve("m").toString(), "--hidden", "lots");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--hidden"), r.err());
        r = run("score", "--model", "m", "--input", "x.jsonl", "--output", "o", "--max-batch-tokens", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--max-batch-tokens must be > 0"), r.err());
        r = run("score", "--model", "m", "--input", "x.jsonl", "--output", "o", "--master", "local[2]",
                "--conf", "spark.task.resource.gpu.amount=1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("spark.task.resource.gpu.amount=1 cannot be used with the local master"), r.err());
        r = run("score", "--model", "m", "--input", "x.jsonl", "--output", "o", "--device", "tpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--device"), r.err());
        r = run("init-model", "--out", "m", "--vocab-size", "10", "--vocab-words", "w.txt");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
        assertEquals(2, run().code());
    }

    @Test
    void failuresExitOneWithOneLine() {
        Path missing = tmp.resolve("missing-model");
        Run r = run("score", "--model", missing.toString(), "--input", "x.jsonl", "--output", "o");
        assertEquals(1, r.code());
        assertEquals("immunobench score: error: model directory not found: " + missing, lastLine(r.err()));

        r = run("score", "--verbose", "--model", missing.toString(), "--input", "x.jsonl", "--output", "o");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat org.immunobench.jobs.score.ScoreJob.checkModelDir"), r.err());
    }

    @Test
    void oneLineUnwrapsSparkExceptions() {
        Exception wrapped = new org.apache.spark.SparkException("Job aborted due to stage failure: Task 0 failed\n"
                + "\tat x.y(Z.java:1)", new IllegalStateException("cannot read tokenizer /m/tokenizer.json"));
        assertEquals("cannot read tokenizer /m/tokenizer.json", Cli.oneLine(wrapped));
        assertEquals("NullPointerException: boom", Cli.oneLine(new NullPointerException("boom")));
        assertEquals("UnsupportedOperationException", Cli.oneLine(new UnsupportedOperationException()));
    }

    @Test
    void initModelWritesALoadableDeterministicCheckpoint() throws Exception {
        Path a = tmp.resolve("a");
        Run r = run("init-model", "--out", a.toString(), "--seed", "5", "--hidden", "32", "--layers", "1",
                "--heads", "4", "--kv-heads", "2", "--max-positions", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + a + ": llama, vocab 512, hidden 32, 1 layers, 4 heads (2 kv),"
                + " intermediate 88"), r.out());
        try (CausalLm lm = CausalLm.load(a, RuntimeOptions.cpu())) {
            assertEquals(512, lm.config().vocabSize());
            assertEquals(2, lm.config().numKvHeads());
            int[] ids = lm.tokenizer().encode("the dog ran");
            assertEquals(4, ids.length, "BOS + three known words");
            assertFalse(ids[1] == 1 || ids[2] == 1 || ids[3] == 1, "no <unk> for built-in words");
        }
        Run again = run("init-model", "--out", a.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("pass --overwrite"), again.err());

        Path b = tmp.resolve("b");
        assertEquals(0, run("init-model", "--out", b.toString(), "--seed", "5", "--hidden", "32", "--layers", "1",
                "--heads", "4", "--kv-heads", "2", "--max-positions", "64").code());
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")),
                Files.readAllBytes(b.resolve("model.safetensors")), "same flags and seed, same weights");

        Path words = tmp.resolve("words.txt");
        Files.writeString(words, "# my words\nalpha\nbeta\n\ngamma\n");
        Path c = tmp.resolve("c");
        r = run("init-model", "--out", c.toString(), "--vocab-words", words.toString(), "--hidden", "16",
                "--layers", "1", "--heads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("vocab 7,"), r.out());
        Path d = tmp.resolve("d");
        r = run("init-model", "--out", d.toString(), "--vocab-size", "20", "--hidden", "16", "--layers", "1",
                "--heads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("vocab 20,"), r.out());
    }
}
