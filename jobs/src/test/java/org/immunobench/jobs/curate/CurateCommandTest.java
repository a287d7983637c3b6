package org.immunobench.jobs.curate;

import org.immunobench.jobs.CurateCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command's usage and its config errors, which are reported before Spark starts. */
class CurateCommandTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new CurateCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheFlags() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String flag : new String[]{"--config", "--source", "--out", "--reference-model", "--overwrite",
            "--master", "--threads"}) {
            assertTrue(r.out().contains(flag), flag + " in\n" + r.out());
        }
    }

    @Test
    void configErrorsAreUsageErrorsNamingTheKeyOrFlag() throws Exception {
        Result r = run("--source", "x=alpca:f.json", "--out", "o");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("invalid config: --source 'x=alpca:f.json': unknown FORMAT 'alpca'"), r.err());

        Result noOut = run("--source", "x=alpaca:f.json");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("out: missing; give the key out or pass --out DIR"), noOut.err());

        java.nio.file.Path yaml = java.nio.file.Files.createTempFile("curate", ".yaml");
        java.nio.file.Files.writeString(yaml, "out: o\nsources:\n  - {name: a, format: alpaca, path: f.json}\n"
                + "dedup:\n  bands: 16\n  rowz: 8\n");
        Result file = run("--config", yaml.toString());
        assertEquals(2, file.code());
        assertTrue(file.err().contains("(" + yaml + " and flags): dedup.rowz: unknown key"), file.err());
        java.nio.file.Files.delete(yaml);
    }
}
