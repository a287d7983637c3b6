package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkSessionsTest {
    private static SparkConf empty() {
        return new SparkConf(false);
    }

    @Test
    void masterDefaultsToLocalStarAndLocalGetsNoUi() {
        SparkSessions.Plan p = SparkSessions.plan(empty(), null, Map.of(), false, null);
        assertEquals("local[*]", p.master());
        assertTrue(p.local());
        assertEquals("false", p.conf().get("spark.ui.enabled"));
        assertEquals(1, p.threads());
    }

    @Test
    void sparkSubmitMasterIsUsedAndAConflictingFlagRefused() {
        SparkConf submitted = empty().set("spark.master", "yarn");
        assertEquals("yarn", SparkSessions.plan(submitted, null, Map.of(), false, null).master());
        assertEquals("yarn", SparkSessions.plan(submitted, "yarn", Map.of(), false, null).master());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(submitted, "local[2]", Map.of(), false, null));
        assertTrue(e.getMessage().startsWith("--master local[2] conflicts"), e.getMessage());
        assertFalse(SparkSessions.plan(submitted, null, Map.of(), false, null).conf().containsKey("spark.ui.enabled"));
    }

    @Test
    void gpuAmountsAreRefusedOnLocalMasters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(empty(),
                "local[2]", Map.of("spark.task.resource.gpu.amount", "1"), false, null));
        assertTrue(e.getMessage().startsWith("spark.task.resource.gpu.amount=1 cannot be used"), e.getMessage());
        SparkConf fromSubmit = empty().set("spark.executor.resource.gpu.amount", "2");
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(fromSubmit, "local", Map.of(), true, null));
        assertTrue(e.getMessage().startsWith("spark.executor.resource.gpu.amount=2"), e.getMessage());
        // zero asks for nothing, so it cannot hang
        SparkSessions.plan(empty(), "local", Map.of("spark.task.resource.gpu.amount", "0"), false, null);
    }

    @Test
    void gpuDeviceIsIgnoredLocallyWithAWarningAndNeedsTaskAmountsOnClusters() {
        SparkSessions.Plan local = SparkSessions.plan(empty(), "local[2]", Map.of(), true, null);
        assertFalse(local.gpu());
        assertEquals(1, local.warnings().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(empty(), "spark://h:7077", Map.of(), true, null));
        assertTrue(e.getMessage().contains("spark.task.resource.gpu.amount"), e.getMessage());
        SparkSessions.Plan cluster = SparkSessions.plan(empty(), "spark://h:7077",
                Map.of("spark.task.resource.gpu.amount", "1"), true, null);
        assertTrue(cluster.gpu());
    }

    @Test
    void threadsDefaultToTaskCpusAndTheFlagWins() {
        assertEquals(4, SparkSessions.plan(empty().set("spark.task.cpus", "4"), "yarn", Map.of(), false, null)
                .threads());
        assertEquals(4, SparkSessions.plan(empty(), "local", Map.of("spark.task.cpus", "4"), false, null).threads());
        assertEquals(2, SparkSessions.plan(empty(), "local", Map.of(), false, 2).threads());
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(empty(), "local", Map.of(), false, 0));
    }

    @Test
    void userConfWinsOverLocalDefaults() {
        SparkSessions.Plan p = SparkSessions.plan(empty(), "local", Map.of("spark.ui.enabled", "true"), false, null);
        assertEquals("true", p.conf().get("spark.ui.enabled"));
        assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(empty(), null, Map.of("spark.master", "local"), false, null));
    }
}
