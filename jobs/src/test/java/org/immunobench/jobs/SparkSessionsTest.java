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
        SparkSessions.Plan p = SparkSessions.plan(empty(), null, Map.of(), DeviceChoice.cpu, null);
        assertEquals("local[*]", p.master());
        assertTrue(p.local());
        assertEquals("false", p.conf().get("spark.ui.enabled"));
        assertEquals(1, p.threads());
    }

    @Test
    void sparkSubmitMasterIsUsedAndAConflictingFlagRefused() {
        SparkConf submitted = empty().set("spark.master", "yarn");
        assertEquals("yarn", SparkSessions.plan(submitted, null, Map.of(), DeviceChoice.cpu, null).master());
        assertEquals("yarn", SparkSessions.plan(submitted, "yarn", Map.of(), DeviceChoice.cpu, null).master());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(submitted, "local[2]", Map.of(), DeviceChoice.cpu, null));
        assertTrue(e.getMessage().startsWith("--master local[2] conflicts"), e.getMessage());
        assertFalse(SparkSessions.plan(submitted, null, Map.of(), DeviceChoice.cpu, null).conf().containsKey("spark.ui.enabled"));
    }

    @Test
    void gpuAmountsAreRefusedOnLocalMasters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(empty(),
                "local[2]", Map.of("spark.task.resource.gpu.amount", "1"), DeviceChoice.cpu, null));
        assertTrue(e.getMessage().startsWith("spark.task.resource.gpu.amount=1 cannot be used"), e.getMessage());
        SparkConf fromSubmit = empty().set("spark.executor.resource.gpu.amount", "2");
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(fromSubmit, "local", Map.of(), DeviceChoice.gpu, null));
        assertTrue(e.getMessage().startsWith("spark.executor.resource.gpu.amount=2"), e.getMessage());
        // zero asks for nothing, so it cannot hang
        SparkSessions.plan(empty(), "local", Map.of("spark.task.resource.gpu.amount", "0"), DeviceChoice.cpu, null);
    }

    @Test
    void gpuDeviceIsIgnoredLocallyWithAWarningAndNeedsExecutorGpusOnClusters() {
        SparkSessions.Plan local = SparkSessions.plan(empty(), "local[2]", Map.of(), DeviceChoice.gpu, null);
        assertFalse(local.gpu());
        assertFalse(local.gpuScheduling());
        assertEquals(1, local.warnings().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(empty(), "spark://h:7077", Map.of(), DeviceChoice.gpu, null));
        assertTrue(e.getMessage().contains("spark.executor.resource.gpu.amount"), e.getMessage());
        SparkSessions.Plan cluster = SparkSessions.plan(empty(), "spark://h:7077",
                Map.of("spark.executor.resource.gpu.amount", "2"), DeviceChoice.gpu, null);
        assertTrue(cluster.gpu());
        assertTrue(cluster.gpuScheduling());
        assertEquals(new SparkSessions.Placement(DeviceChoice.gpu, true, 1), cluster.placement());
    }

    @Test
    void autoSchedulesGpusOnlyOnClustersWithExecutorGpus() {
        SparkSessions.Plan local = SparkSessions.plan(empty(), "local[2]", Map.of(), DeviceChoice.auto, null);
        assertEquals(DeviceChoice.auto, local.device());
        assertFalse(local.gpuScheduling());
        assertTrue(local.warnings().isEmpty());
        SparkSessions.Plan noGpus = SparkSessions.plan(empty(), "spark://h:7077", Map.of(), DeviceChoice.auto, null);
        assertFalse(noGpus.gpuScheduling());
        assertTrue(noGpus.warnings().get(0).contains("no executor GPUs"), noGpus.warnings().toString());
        SparkConf submitted = empty().set("spark.master", "spark://h:7077")
                .set("spark.executor.resource.gpu.amount", "1").set("spark.task.cpus", "2");
        SparkSessions.Plan gpus = SparkSessions.plan(submitted, null, Map.of(), DeviceChoice.auto, null);
        assertTrue(gpus.gpuScheduling());
        assertEquals(new SparkSessions.Placement(DeviceChoice.auto, true, 2), gpus.placement());
        assertFalse(SparkSessions.plan(submitted, null, Map.of(), DeviceChoice.cpu, null).gpuScheduling());
    }

    @Test
    void clusterSessionsShipTheApplicationUnlessSparkSubmitDid() {
        assertFalse(SparkSessions.plan(empty(), "local[2]", Map.of(), DeviceChoice.cpu, null).shipJars());
        assertTrue(SparkSessions.plan(empty(), "spark://h:7077", Map.of(), DeviceChoice.cpu, null).shipJars());
        SparkConf submitted = empty().set("spark.master", "spark://h:7077").set("spark.jars", "/x/app.jar");
        assertFalse(SparkSessions.plan(submitted, null, Map.of(), DeviceChoice.cpu, null).shipJars());
    }

    @Test
    void threadsDefaultToTaskCpusAndTheFlagWins() {
        assertEquals(4, SparkSessions.plan(empty().set("spark.task.cpus", "4"), "yarn", Map.of(), DeviceChoice.cpu, null)
                .threads());
        assertEquals(4, SparkSessions.plan(empty(), "local", Map.of("spark.task.cpus", "4"), DeviceChoice.cpu, null).threads());
        assertEquals(2, SparkSessions.plan(empty(), "local", Map.of(), DeviceChoice.cpu, 2).threads());
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(empty(), "local", Map.of(), DeviceChoice.cpu, 0));
    }

    @Test
    void userConfWinsOverLocalDefaults() {
        SparkSessions.Plan p = SparkSessions.plan(empty(), "local", Map.of("spark.ui.enabled", "true"), DeviceChoice.cpu, null);
        assertEquals("true", p.conf().get("spark.ui.enabled"));
        assertThrows(IllegalArgumentException.class,
                () -> SparkSessions.plan(empty(), null, Map.of("spark.master", "local"), DeviceChoice.cpu, null));
    }
}
