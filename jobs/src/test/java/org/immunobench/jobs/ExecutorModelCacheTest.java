package org.immunobench.jobs;

import org.immunobench.lm.CausalLm;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExecutorModelCacheTest {
    @TempDir
    Path tmp;

    @Test
    void equalSpecsShareOneLoadAndOtherOptionsGetTheirOwn() {
        Path dir = TinyModels.writeCheckpoint(tmp.resolve("m"), TinyModels.llama(), 1, 0.02);
        int before = ExecutorModelCache.loadCount();
        CausalLm a = ExecutorModelCache.get(new ModelSpec(dir.toString(), RuntimeOptions.cpu()));
        CausalLm b = ExecutorModelCache.get(new ModelSpec(tmp.resolve("m/../m").toString(), RuntimeOptions.cpu()));
        assertSame(a, b, "paths are normalised, so the same checkpoint is one entry");
        assertEquals(1, ExecutorModelCache.loadCount() - before);
        CausalLm c = ExecutorModelCache.get(new ModelSpec(dir.toString(), RuntimeOptions.cpu().withBatching(64, 2)));
        assertNotSame(a, c);
        assertEquals(2, ExecutorModelCache.loadCount() - before);
    }

    @Test
    void aFailedLoadIsNotCached() {
        ModelSpec missing = new ModelSpec(tmp.resolve("absent").toString(), RuntimeOptions.cpu());
        int before = ExecutorModelCache.loadCount();
        assertThrows(RuntimeException.class, () -> ExecutorModelCache.get(missing));
        Path dir = TinyModels.writeCheckpoint(tmp.resolve("absent"), TinyModels.llama(), 1, 0.02);
        assertEquals(dir.toAbsolutePath().toString(), missing.path());
        ExecutorModelCache.get(missing); // the retry loads, instead of rethrowing a remembered failure
        assertEquals(1, ExecutorModelCache.loadCount() - before);
    }
}
