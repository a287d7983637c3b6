package org.immunobench.lm.runtime;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceSpecTest {
    @Test
    void parsesTheAcceptedForms() {
        assertEquals(DeviceSpec.CPU, DeviceSpec.parse("cpu"));
        assertEquals(DeviceSpec.CPU, DeviceSpec.parse(" CPU "));
        assertEquals(DeviceSpec.gpu(0), DeviceSpec.parse("gpu"));
        assertEquals(DeviceSpec.gpu(3), DeviceSpec.parse("gpu:3"));
        assertEquals(DeviceSpec.gpu(1), DeviceSpec.parse("cuda:1"));
        assertEquals("gpu:3", DeviceSpec.gpu(3).toString());
        assertEquals(Device.cpu(), DeviceSpec.CPU.toDevice());
        assertEquals(Device.gpu(2), DeviceSpec.gpu(2).toDevice());
    }

    @Test
    void rejectsWithTheBadValue() {
        for (String bad : new String[] {"tpu", "gpu:x", "gpu:-1", "", "cpu:0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("device"), e.getMessage());
        }
    }

    @Test
    void runtimeOptionsNameTheBadKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuntimeOptions.cpu().withBatching(0, 4));
        assertTrue(e.getMessage().startsWith("max_batch_tokens"), e.getMessage());
    }
}
