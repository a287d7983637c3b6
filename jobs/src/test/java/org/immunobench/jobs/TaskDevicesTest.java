package org.immunobench.jobs;

import org.apache.spark.resource.ResourceInformation;
import org.immunobench.lm.runtime.DeviceSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskDevicesTest {
    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void assignedGpuAddressBecomesTheDeviceOrdinal() {
        assertEquals(DeviceSpec.gpu(3), TaskDevices.forTask(gpus("3"), true));
        assertEquals(DeviceSpec.gpu(0), TaskDevices.forTask(gpus(" 0 "), true));
    }

    @Test
    void firstOfSeveralAddressesIsUsed() {
        assertEquals(DeviceSpec.gpu(1), TaskDevices.forTask(gpus("1", "2"), true));
    }

    @Test
    void cpuWhenNoGpuWasRequestedEvenIfAssigned() {
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(gpus("0"), false));
    }

    @Test
    void cpuWhenResourcesAreAbsentOrEmpty() {
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(Map.of(), true));
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(null, true));
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(gpus(), true));
        assertEquals(DeviceSpec.CPU, TaskDevices.forTask(Map.of("fpga", new ResourceInformation("fpga",
                new String[]{"0"})), true));
    }

    @Test
    void nonIntegerAddressIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskDevices.forTask(gpus("GPU-5f3a"), true));
        assertTrue(e.getMessage().contains("'GPU-5f3a'"), e.getMessage());
        assertTrue(e.getMessage().contains("getGpusResources.sh"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> TaskDevices.forTask(gpus("-1"), true));
    }

    @Test
    void outsideATaskTheDeviceIsCpu() {
        assertEquals(DeviceSpec.CPU, TaskDevices.current(true));
    }
}
