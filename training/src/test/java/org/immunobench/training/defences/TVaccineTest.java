package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.immunobench.training.defences.TinyDefenceWorld.CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** T-Vaccine's layer sampling, its probe, and that a step trains the sampled layers only. */
class TVaccineTest {
    @BeforeAll
    static void engine() {
        TinyDefenceWorld.engine();
    }

    @Test
    void sampleLayersDrawsDistinctLayersProportionallyToTheirWeights() {
        Random random = new Random(1);
        assertEquals(List.of(1), TVaccine.sampleLayers(new double[] {0, 1, 0, 0}, 1, random));
        assertEquals(List.of(1, 3), TVaccine.sampleLayers(new double[] {0, 1, 0, 2}, 2, random));
        assertEquals(List.of(0, 1, 2, 3), TVaccine.sampleLayers(new double[] {0.1, 0.2, 0.3, 0.4}, 4, random));
        assertEquals(2, new java.util.HashSet<>(TVaccine.sampleLayers(new double[] {0, 0, 0}, 2, random)).size(),
                "all-zero weights: uniform, still without replacement");
        double[] p = {0.1, 0.2, 0.3, 0.4};
        int draws = 20000;
        int[] single = new int[4];
        int zeroInPair = 0;
        for (int i = 0; i < draws; i++) {
            single[TVaccine.sampleLayers(p, 1, random).get(0)]++;
            zeroInPair += TVaccine.sampleLayers(p, 2, random).contains(0) ? 1 : 0;
        }
        // P(0 ∈ pair) = p0 + Σ_{j≠0} p_j · p0 / (1 − p_j) = 0.1 + 0.025 + 0.0428571 + 0.0666667
        double pairExpected = 0.1 + 0.2 * 0.1 / 0.8 + 0.3 * 0.1 / 0.7 + 0.4 * 0.1 / 0.6;
        System.out.printf("single draws %s of %d; P(layer 0 in a pair) %.4f, expected %.4f%n",
                java.util.Arrays.toString(single), draws, zeroInPair / (double) draws, pairExpected);
        for (int l = 0; l < 4; l++) {
            assertEquals(p[l], single[l] / (double) draws, 0.015, "layer " + l + " (tolerance 0.015, ~4.5 sd)");
        }
        assertEquals(pairExpected, zeroInPair / (double) draws, 0.015);
    }

    @Test
    void layerOfReadsTheHfName() {
        assertEquals(2, TVaccine.layerOf("model.layers.2.self_attn.q_proj.weight"));
        assertEquals(11, TVaccine.layerOf("model.layers.11.mlp.down_proj.weight"));
        assertEquals(-1, TVaccine.layerOf("model.embed_tokens.weight"));
        assertEquals(-1, TVaccine.layerOf("model.norm.weight"));
        assertEquals(-1, TVaccine.layerOf("lm_head.weight"));
    }

    /**
     * The probe's p_l equal the norms of independently computed ∇_{e_l}h, normalised; after the step only the sampled
     * layers carry gradient.
     */
    @Test
    void probeSharesMatchIndependentGradientNormsAndOnlySampledLayersGetGradient() {
        List<TrainingExample> harmful = TinyDefenceWorld.examples(12, true, 2);
        int batch = 6;
        TVaccine.TVaccineConfig config = new TVaccine.TVaccineConfig(1, 1e-3, batch, 0.5, 1, 1, 1, batch);
        try (LlamaWeights w = TinyDefenceWorld.weights(3)) {
            List<NDArray> params = WeightChecks.trainable(w);
            TVaccine.LayerwiseAlignment objective = new TVaccine.LayerwiseAlignment(
                    new SupervisedObjective(TinyDefenceWorld.examples(12, false, 1), 1),
                    new SupervisedObjective(harmful, 2), config, new Random(3));
            objective.step(new StepContext(w, params, 1, TrainerConfig.defaults(1e-3, 1, batch)));
            Map<String, float[]> gradients = new HashMap<>();
            List<float[]> g = WeightChecks.gradients(params);
            List<String> names = new ArrayList<>(w.arrays().keySet());
            for (int t = 0; t < names.size(); t++) {
                gradients.put(names.get(t), g.get(t));
            }
            WeightChecks.trainable(w);
            PaddedBatch probeBatch = new SupervisedObjective(harmful, 2).next(batch);
            List<float[]> hidden = VaccineTest.independentHiddenGradients(w, probeBatch);
            double total = 0;
            double[] norms = new double[CONFIG.numLayers()];
            for (int l = 0; l < norms.length; l++) {
                norms[l] = WeightChecks.norm(List.of(hidden.get(l)));
                total += norms[l];
            }
            double sum = total;
            System.out.printf("probe shares %s; from independent gradients %s (tolerance 1e-5); sampled %s%n",
                    java.util.Arrays.toString(objective.probabilities),
                    java.util.Arrays.toString(java.util.Arrays.stream(norms).map(n -> n / sum).toArray()),
                    objective.sampled);
            for (int l = 0; l < norms.length; l++) {
                assertEquals(norms[l] / total, objective.probabilities[l], 1e-5, "p_" + l);
            }
            assertEquals(1, objective.sampled.size());
            int sampled = objective.sampled.get(0);
            gradients.forEach((name, grad) -> {
                double norm = WeightChecks.norm(List.of(grad));
                if (TVaccine.layerOf(name) == sampled) {
                    assertTrue(norm > 0, name + " (sampled layer) has a gradient");
                } else {
                    assertEquals(0.0, norm, name + " (not sampled) has zero gradient");
                }
            });
        }
    }

    static DefenceResult runThroughRegistry(LlamaWeights w, Map<String, Object> config) {
        return Defences.create(TVaccine.NAME, config, 7, "defences[0].config").apply(w, TinyDefenceWorld.data());
    }

    /** Over one sampling period (fresh AdamW momentum), everything outside the sampled layers stays bit-identical. */
    @Test
    void registryRunTrainsOnlyTheSampledLayersAndRepeatsBitIdentically() {
        for (int layersSampled = 1; layersSampled <= 2; layersSampled++) {
            Map<String, Object> config = Map.of("steps", 3, "batch", 4, "lr", 1e-3, "layers_sampled", layersSampled,
                    "resample_every", 3, "probe_examples", 8);
            try (LlamaWeights first = TinyDefenceWorld.weights(4);
                    LlamaWeights second = TinyDefenceWorld.weights(4)) {
                Map<String, float[]> before = WeightChecks.snapshot(first);
                DefenceResult result = runThroughRegistry(first, config);
                runThroughRegistry(second, config);
                System.out.println("t_vaccine: " + result);
                assertEquals("completed", result.status());
                assertEquals(3, result.steps());
                List<Integer> sampled = new ArrayList<>();
                double shareSum = 0;
                for (int l = 0; l < CONFIG.numLayers(); l++) {
                    double share = result.metrics().get("sampled_share_layer" + l);
                    assertTrue(share == 0.0 || share == 1.0, "one sampling period: a layer is in or out");
                    if (share == 1.0) {
                        sampled.add(l);
                    }
                    shareSum += result.metrics().get("harmful_grad_share_layer" + l);
                }
                assertEquals(1.0, shareSum, 1e-9);
                assertEquals(layersSampled, sampled.size());
                Map<String, float[]> after = WeightChecks.snapshot(first);
                for (String name : before.keySet()) {
                    boolean identical = WeightChecks.bitIdentical(before.get(name), after.get(name));
                    if (sampled.contains(TVaccine.layerOf(name))) {
                        assertFalse(identical, name + " is in a sampled layer and must change");
                    } else {
                        assertTrue(identical, name + " is outside the sampled layers " + sampled
                                + " and must stay bit-identical");
                    }
                }
                assertTrue(WeightChecks.bitIdentical(after, WeightChecks.snapshot(second)),
                        "same seed, bit-identical weights");
                assertTrue(result.metrics().keySet().containsAll(List.of("final_loss", "clean_loss_tail",
                        "perturbed_loss_tail", "rho", "layers_sampled")));
            }
        }
    }

    @Test
    void configKeysAreNamedInErrorsAndDefaultsAreFilled() {
        assertEquals(Map.of("steps", 100, "lr", 2e-4, "batch", 8, "rho", 6.0, "layers_sampled", 1,
                "resample_every", 10, "probe_every", 100, "probe_examples", 64),
                Defences.resolvedConfig(TVaccine.NAME, null, "defences[0].config"));
        assertEquals("defences[0].config: layers_sampled must be > 0, got 0", assertThrows(
                IllegalArgumentException.class, () -> Defences.create(TVaccine.NAME, Map.of("layers_sampled", 0), 1,
                        "defences[0].config")).getMessage());
        try (LlamaWeights w = TinyDefenceWorld.weights(4)) {
            assertEquals("layers_sampled must be <= the model's 3 layers, got 4", assertThrows(
                    IllegalArgumentException.class, () -> runThroughRegistry(w, Map.of("layers_sampled", 4)))
                    .getMessage());
        }
    }
}
