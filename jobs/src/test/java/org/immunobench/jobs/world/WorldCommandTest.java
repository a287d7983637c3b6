package org.immunobench.jobs.world;

import org.immunobench.jobs.ConfigFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The world's config from file and flags, and its stamp: a cache key of the world and its models. */
class WorldCommandTest {
    private static WorldConfig config(String... args) {
        WorldCommand command = new WorldCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    @Test
    void fileThenSeedThenSetValuesReadAsInTheFile() throws Exception {
        Path file = Files.createTempFile("world", ".yaml");
        try {
            Files.writeString(file, "harmDomains: 12\nheldOutDomains: 3\nseed: 5\n");
            WorldConfig c = config("--out", "w", "--config", file.toString(), "--seed", "7", "--set",
                    "heldOutDomains=4", "--set", "evalPerDomain=9");
            assertEquals(WorldConfig.defaults().with(java.util.Map.of("harmDomains", 12, "heldOutDomains", 4,
                    "seed", 7L, "evalPerDomain", 9)), c);
        } finally {
            Files.delete(file);
        }
        assertEquals(WorldConfig.defaults(), config("--out", "w"));
    }

    @Test
    void badSetValuesAreUsageErrorsNamingTheKey() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new WorldCommand());
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("--out", "w", "--set", "harmDomains=many"));
        assertTrue(err.toString().contains("invalid world config: harmDomains: expected an integer, got 'many'"),
                err.toString());
        assertEquals(2, cli.execute("--out", "w", "--set", "harmDomains=7.5"));
        assertTrue(err.toString().contains("harmDomains: expected an integer, got '7.5'"), err.toString());
        assertEquals(2, cli.execute("--out", "w", "--set", "domains=3"));
        assertTrue(err.toString().contains("invalid world config: domains: unknown key; allowed: [actionsPerDomain,"),
                err.toString());
        assertEquals(2, cli.execute("--out", "w", "--set", "harmDomains=7"));
        assertTrue(err.toString().contains("harmDomains: must be >= 8, got 7"), err.toString());
    }

    @Test
    void setValuesAreTheScalarsYamlWouldRead() {
        assertEquals(12, ConfigFiles.scalar("12"));
        assertEquals(1.5, ConfigFiles.scalar("1.5"));
        assertEquals(true, ConfigFiles.scalar("true"));
        assertEquals("abc", ConfigFiles.scalar("abc"));
        assertEquals("", ConfigFiles.scalar(""));
        assertEquals("[1, 2]", ConfigFiles.scalar("[1, 2]"));
    }

    @Test
    void canonicalJsonOfTheDefaultWorldIsPinned() {
        assertEquals("{\"actionsPerDomain\":5,\"alignBenignPerTask\":100,\"alignHarmfulPerDomain\":100,"
                + "\"attackPerDomain\":100,\"benignEvalPerTask\":100,\"benignTrain\":400,\"entities\":48,"
                + "\"evalPerDomain\":50,\"generator_version\":" + ToyWorld.VERSION + ",\"harmDomains\":10,"
                + "\"heldOutDomains\":2,\"heldoutDomainPerDomain\":100,\"heldoutInDomainPerDomain\":30,"
                + "\"howtoDomains\":4,\"materialsPerDomain\":4,\"maxOperand\":12,\"maxRecipeSteps\":4,"
                + "\"minHarmfulSteps\":2,\"minRecipeSteps\":3,\"pretrainBenignPerTask\":500,"
                + "\"pretrainHarmfulPerDomain\":150,\"reviewItems\":16,\"seed\":0,\"targetsPerDomain\":4,"
                + "\"toolsPerDomain\":3,\"verbsPerDomain\":3}", WorldCommand.canonicalJson(WorldConfig.defaults()));
    }
}
