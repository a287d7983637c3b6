package org.immunobench.jobs;

import org.apache.spark.resource.ResourceInformation;
import org.immunobench.lm.runtime.DeviceSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskDevicesTest {
    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void anAssignedGpuWithCudaBecomesTheDeviceOrdinalForGpuAndAuto() {
        for (DeviceChoice c : new DeviceChoice[] {DeviceChoice.gpu, DeviceChoice.auto}) {
            TaskDevices.Assignment a = TaskDevices.forTask(gpus("3"), c, 4);
            assertEquals(DeviceSpec.gpu(3), a.device());
            assertEquals("3", a.gpuAddress());
            assertNull(a.note());
        }
        assertEquals(DeviceSpec.gpu(0), TaskDevices.forTask(gpus(" 0 "), DeviceChoice.gpu, 1).device());
        // the first of several addresses
        assertEquals(DeviceSpec.gpu(1), TaskDevices.forTask(gpus("1", "2"), DeviceChoice.auto, 3).device());
    }

    @Test
    void autoFallsBackToTheCpuWithoutCudaAndStillRecordsTheAddress() {
        TaskDevices.Assignment a = TaskDevices.forTask(gpus("1"), DeviceChoice.auto, 0);
        assertEquals(DeviceSpec.CPU, a.device());
        assertEquals("1", a.gpuAddress());
        assertTrue(a.note().contains("assigned GPU 1") && a.note().contains("no CUDA"), a.note());
        // an address beyond what libtorch sees
        a = TaskDevices.forTask(gpus("2"), DeviceChoice.auto, 2);
        assertEquals(DeviceSpec.CPU, a.device());
        assertTrue(a.note().contains("only 2 CUDA device"), a.note());
        // nothing assigned
        a = TaskDevices.forTask(Map.of(), DeviceChoice.auto, 8);
        assertEquals(DeviceSpec.CPU, a.device());
        assertNull(a.gpuAddress());
        assertTrue(a.note().contains("no GPU assigned"), a.note());
    }

    @Test
    void gpuWithoutCudaOrWithoutAnAssignmentIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskDevices.forTask(gpus("0"), DeviceChoice.gpu, 0));
        assertTrue(e.getMessage().startsWith("--device gpu: Spark assigned this task GPU 0 but libtorch sees no CUDA"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--device auto"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> TaskDevices.forTask(gpus("1"), DeviceChoice.gpu, 1));
        assertTrue(e.getMessage().contains("only 1 CUDA device"), e.getMessage());
        for (Map<String, ResourceInformation> none : java.util.Arrays.asList(Map.<String, ResourceInformation>of(),
                null, gpus(), Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"})))) {
            e = assertThrows(IllegalStateException.class, () -> TaskDevices.forTask(none, DeviceChoice.gpu, 2));
            assertTrue(e.getMessage().contains("no 'gpu' resource"), e.getMessage());
        }
    }

    @Test
    void cpuIgnoresTheAssignmentButRecordsIt() {
        TaskDevices.Assignment a = TaskDevices.forTask(gpus("0"), DeviceChoice.cpu, 2);
        assertEquals(DeviceSpec.CPU, a.device());
        assertEquals("0", a.gpuAddress());
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(null, DeviceChoice.cpu, 0).device());
    }

    @Test
    void nonIntegerAddressIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskDevices.forTask(gpus("GPU-5f3a"), DeviceChoice.auto, 1));
        assertTrue(e.getMessage().contains("'GPU-5f3a'"), e.getMessage());
        assertTrue(e.getMessage().contains("getGpusResources.sh"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> TaskDevices.forTask(gpus("-1"), DeviceChoice.gpu, 1));
    }

    @Test
    void outsideATaskThereIsNoGpu() {
        assertEquals(DeviceSpec.CPU, TaskDevices.current(DeviceChoice.auto).device());
        assertEquals("driver", TaskDevices.executorId());
        assertThrows(IllegalStateException.class, () -> TaskDevices.current(DeviceChoice.gpu));
    }
}
