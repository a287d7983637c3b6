package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.Device;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NoDefenceTest {
    @Test
    void leavesTheWeightsBitIdentical() {
        DjlRuntime.start(1);
        ModelConfig c = ModelConfig.llama(40, 16, 32, 2, 4, 2, 64);
        Map<String, HostTensor> host = RandomInit.weights(c, 3);
        try (LlamaWeights w = LlamaWeights.fromHost(c, host, Device.cpu())) {
            DefenceData none = new DefenceData(List.of(), List.of(), List.of(), List.of(), List.of(), null);
            DefenceResult result = Defences.create("none", null, 1, "defences[0].config").apply(w, none);
            assertEquals(DefenceResult.completed(0, Map.of()), result);
            Map<String, HostTensor> after = w.toHost();
            assertEquals(host.keySet(), after.keySet());
            for (HostTensor t : host.values()) {
                WeightChecks.assertBitIdentical(t.data(), after.get(t.name()).data(), t.name());
            }
        }
    }
}
