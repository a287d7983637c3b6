package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceProfile;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuProfilesTest {
    @Test
    void staticAllocationAsksOneGpuAndTheTaskCpusPerTaskOnly() {
        ResourceProfile p = GpuProfiles.oneGpuPerTask(new SparkConf(false), 4);
        assertEquals(1.0, p.taskResourcesJMap().get("gpu").amount());
        assertEquals(4.0, p.taskResourcesJMap().get("cpus").amount());
        assertTrue(p.executorResourcesJMap().isEmpty(), p.executorResourcesJMap().toString());
    }

    @Test
    void dynamicAllocationAlsoAsksForGpuExecutors() {
        SparkConf conf = new SparkConf(false).set("spark.dynamicAllocation.enabled", "true")
                .set("spark.executor.cores", "8").set("spark.executor.resource.gpu.amount", "2")
                .set("spark.executor.resource.gpu.discoveryScript", "/opt/gpus.sh");
        ResourceProfile p = GpuProfiles.oneGpuPerTask(conf, 4);
        assertEquals(1.0, p.taskResourcesJMap().get("gpu").amount());
        assertEquals(2L, p.executorResourcesJMap().get("gpu").amount());
        assertEquals("/opt/gpus.sh", p.executorResourcesJMap().get("gpu").discoveryScript());
        assertEquals(8L, p.executorResourcesJMap().get("cores").amount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuProfiles.oneGpuPerTask(
                new SparkConf(false).set("spark.dynamicAllocation.enabled", "true"), 1));
        assertTrue(e.getMessage().contains("spark.executor.cores"), e.getMessage());
    }
}
