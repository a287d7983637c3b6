package org.immunobench.jobs.run;

import org.immunobench.jobs.world.ToyWorld;
import org.immunobench.jobs.world.WorldConfig;
import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A task's world is regenerated from the config in world.json, bound like any config. */
class WorldContextTest {
    private static void writeSummary(Path dir, Map<String, Object> config) throws Exception {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("generator_version", ToyWorld.VERSION);
        summary.put("config", config);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("world.json"), ConfigBinder.mapper().writeValueAsString(summary));
    }

    @Test
    void regeneratesTheWorldOfWorldJsonsConfig(@TempDir Path tmp) throws Exception {
        WorldConfig config = WorldConfig.defaults().with(Map.of("seed", 3));
        writeSummary(tmp.resolve("w"), ConfigBinder.toMap(config));
        assertEquals(config, WorldContext.load(tmp.resolve("w")).config());

        writeSummary(tmp.resolve("bad"), Map.of("harmDomain", 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorldContext.load(tmp.resolve("bad")));
        assertEquals(tmp.resolve("bad").resolve("world.json") + ": config.harmDomain: unknown key; allowed in config: "
                + WorldConfig.keys().stream().sorted().toList(), e.getMessage());
    }
}
