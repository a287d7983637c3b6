package org.immunobench.jobs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApplicationJarsTest {
    @Test
    void everyModuleIsShippedAsAJarAndAnUnchangedDirectoryIsPackedOnce() throws Exception {
        List<String> jars = ApplicationJars.locate();
        Set<String> entries = new HashSet<>();
        for (String j : jars) {
            assertTrue(Files.isRegularFile(Path.of(j)) && j.endsWith(".jar"), j);
            try (JarFile jar = new JarFile(j)) {
                jar.stream().forEach(e -> entries.add(e.getName()));
            }
        }
        for (String cls : List.of("org/immunobench/jobs/Cli.class", "org/immunobench/lm/CausalLm.class",
                "org/immunobench/training/trainer/Trainer.class", "org/immunobench/curation/corpus/CorpusRow.class",
                "org/immunobench/evaluation/judge/Judge.class", "org/immunobench/jobs/demo.yaml")) {
            assertTrue(entries.contains(cls), cls + " is in none of " + jars);
        }
        assertEquals(jars, ApplicationJars.locate());
    }
}
