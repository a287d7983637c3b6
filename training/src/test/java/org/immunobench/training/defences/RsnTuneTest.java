package org.immunobench.training.defences;

import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.testing.WeightChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Safety-neuron detection on hand-made and planted cases, and that tuning moves only the selected neurons. */
class RsnTuneTest {
    static final String PATH = "defences[0].config";
    /** Smaller per-layer shares than the defaults, so the tiny model's intersections are far from all or nothing. */
    static final Map<String, Object> SMALL = Map.of("steps", 5, "batch", 4, "lr", 1e-2, "ffn_top_fraction", 0.6,
            "attention_top_fraction", 0.6);

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void topRanksActivationTimesWeightNormAndBreaksTiesByIndex() {
        float[] activation = {1, 4, 2, 2, 0.5f};
        float[] weight = {3, 1, 2, 1, 10};
        // scores 3, 4, 4, 2, 5 → order 4, 1, 2 (tie with 1: lower index first), 0, 3
        assertEquals(bits(4), RsnTune.top(activation, weight, 1));
        assertEquals(bits(1, 4), RsnTune.top(activation, weight, 2));
        assertEquals(bits(1, 2, 4), RsnTune.top(activation, weight, 3));
        assertEquals(bits(0, 1, 2, 3, 4), RsnTune.top(activation, weight, 9));
    }

    /** Two query heads share one key-value head (hd 2): channel i is read by o_proj columns i and 2 + i. */
    @Test
    void valueNeuronOutputNormCoversEveryQueryHeadOfItsGroup() {
        ModelConfig c = ModelConfig.llama(8, 4, 8, 1, 2, 1, 16);
        assertEquals(2, c.kvWidth());
        float[] o = new float[4 * 4]; // (D 4, H·hd 4), row-major
        for (int i = 0; i < o.length; i++) {
            o[i] = i + 1;
        }
        double c0 = 0;
        double c1 = 0;
        for (int row = 0; row < 4; row++) {
            c0 += Math.pow(o[row * 4], 2) + Math.pow(o[row * 4 + 2], 2);
            c1 += Math.pow(o[row * 4 + 1], 2) + Math.pow(o[row * 4 + 3], 2);
        }
        assertArrayEquals(new float[] {(float) Math.sqrt(c0), (float) Math.sqrt(c1)}, RsnTune.valueOutputNorms(o, c),
                1e-4f);
    }

    /** A W_down column scaled up 100-fold makes its FFN neuron the most important one on every input. */
    @Test
    void aPlantedDominantNeuronIsDetectedOnEveryInput() {
        Map<String, HostTensor> host;
        try (LlamaWeights w = RepresentationFixtures.tiny(2)) {
            host = new LinkedHashMap<>(w.toHost());
        }
        ModelConfig c = RepresentationFixtures.CONFIG;
        String down = LlamaNames.projectionWeight(1, "down_proj");
        float[] data = host.get(down).data().clone();
        for (int row = 0; row < c.hiddenSize(); row++) {
            data[row * c.intermediateSize() + 7] *= 100;
        }
        host.put(down, new HostTensor(down, host.get(down).shape(), data));
        RsnTune.RsnTuneConfig narrow = new RsnTune.RsnTuneConfig(null, null, null, null, 1.0 / c.intermediateSize(),
                null, null);
        List<int[]> prompts = RsnTune.promptsOf(RepresentationFixtures.data().alignment());
        try (LlamaWeights planted = LlamaWeights.fromHost(c, host, ai.djl.Device.cpu())) {
            RsnTune.NeuronSet s = RsnTune.detect(planted, prompts, narrow);
            assertEquals(bits(7), s.ffn()[1], "top-1 of layer 1 on every prompt");
        }
    }

    /**
     * The weights outside the tuned neurons (rows of up_proj and v_proj, columns of down_proj) stay bit-identical;
     * the tuned ones move.
     */
    @Test
    void tuningChangesOnlyTheSelectedNeurons() {
        DefenceData data = RepresentationFixtures.data();
        RsnTune.RsnTuneConfig config = ((RsnTune) Defences.create("rsn_tune", SMALL, 7, PATH)).config();
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            RsnTune.NeuronSet safety = RsnTune.detect(w, RsnTune.promptsOf(data.alignment()), config);
            RsnTune.NeuronSet foundation = RsnTune.detect(w,
                    data.benign().stream().map(e -> e.tokens()).toList(), config);
            RsnTune.NeuronSet tuned = safety.minus(foundation);
            System.out.printf("rsn_tune tiny model: %d safety, %d foundation, %d tuned neurons%n", safety.count(),
                    foundation.count(), tuned.count());
            assertTrue(tuned.count() > 0 && tuned.count() < safety.count(),
                    "a non-trivial selection to check against");
            Map<String, float[]> masks = RsnTune.masks(w.config(), tuned, w.arrays());
            Map<String, float[]> before = WeightChecks.snapshot(w);
            DefenceResult r = Defences.create("rsn_tune", SMALL, 7, PATH).apply(w, data);
            Map<String, float[]> after = WeightChecks.snapshot(w);
            System.out.println("rsn_tune metrics " + r.metrics());
            assertEquals("completed", r.status());
            assertEquals(tuned.count(), r.metrics().get("tuned_neurons"));
            int moved = 0;
            for (String name : before.keySet()) {
                float[] mask = masks.get(name);
                float[] b = before.get(name);
                float[] a = after.get(name);
                for (int i = 0; i < b.length; i++) {
                    boolean same = Float.floatToRawIntBits(b[i]) == Float.floatToRawIntBits(a[i]);
                    if (mask == null || mask[i] == 0f) {
                        assertTrue(same, name + "[" + i + "] is outside the tuned neurons and moved");
                    } else if (!same) {
                        moved++;
                    }
                }
            }
            assertTrue(moved > 0, "the tuned neurons moved");
            assertFalse(masks.containsKey(LlamaNames.projectionWeight(0, "gate_proj")), "gate is never tuned");
        }
    }

    @Test
    void configAndEmptySelectionErrorsNameTheirKeys() {
        assertEquals("defences[0].config: ffn_top_fraction must be in (0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.create("rsn_tune", Map.of("ffn_top_fraction", 1.5), 1, PATH)).getMessage());
        Map<String, Object> resolved = Defences.resolvedConfig("rsn_tune", null, PATH);
        assertEquals(List.of("steps", "lr", "batch", "detection_prompts", "ffn_top_fraction", "attention_top_fraction",
                "exclude_foundation"), List.copyOf(resolved.keySet()));
        // Every neuron important on every input (fraction 1): safety = foundation, nothing left to tune.
        Map<String, Object> all = Map.of("ffn_top_fraction", 1.0, "attention_top_fraction", 1.0);
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            String msg = assertThrows(IllegalStateException.class,
                    () -> Defences.create("rsn_tune", all, 7, PATH).apply(w, RepresentationFixtures.data()))
                    .getMessage();
            assertTrue(msg.startsWith("rsn_tune: no neuron to tune"), msg);
            WeightChecks.assertBitIdentical(before, WeightChecks.snapshot(w));
        }
    }

    static BitSet bits(int... indices) {
        BitSet b = new BitSet();
        for (int i : indices) {
            b.set(i);
        }
        return b;
    }
}
