package org.immunobench.jobs.run;

import ai.djl.Device;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.evaluation.metrics.PerplexityDrift;
import org.immunobench.jobs.world.World;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.AddVector;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attack probes' drift rows on the tiny world: which rows, their references, and their values. */
class DriftProbeTest {
    private static World world;
    private static Path dir;

    @BeforeAll
    static void setUp() {
        DjlRuntime.start(1);
        dir = TinyWorld.get();
        world = WorldContext.load(dir);
    }

    private static Map<String, Double> byMetric(List<DriftProbe.Figure> figures) {
        return figures.stream().collect(Collectors.toMap(DriftProbe.Figure::metric, DriftProbe.Figure::value,
                (a, b) -> {
                    throw new AssertionError("duplicate metric");
                }, TreeMap::new));
    }

    /** The parent with one MLP matrix of layer 1 scaled: a "defence" that changes layer 1 onwards. */
    private static LlamaWeights defended(LlamaWeights parent) {
        Map<String, HostTensor> host = new java.util.LinkedHashMap<>(parent.toHost());
        String name = "model.layers.1.mlp.down_proj.weight";
        HostTensor t = host.get(name);
        float[] data = t.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] *= 3f;
        }
        host.put(name, new HostTensor(name, t.shape(), data));
        return LlamaWeights.fromHost(parent.config(), host, Device.cpu());
    }

    @Test
    void referencesAreTheReleasedCheckpointAndTheParent() {
        List<CorpusRow> harmful = WorldContext.harmfulNll(world, "attack", 6);
        List<CorpusRow> benign = WorldContext.benignEval(world, 8);
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(dir));
                LlamaWeights parent = ImmuniseRunner.load(dir.resolve("models/aligned"), Device.cpu(), ComputeDtype.F32);
                LlamaWeights released = defended(parent)) {
            DriftProbe probe = new DriftProbe(harmful, benign, tokenizer, 4);
            probe.prepare(released, parent);

            Map<String, Double> atRelease = byMetric(probe.measure(released, List.of()));
            assertEquals(List.of("cosine_l0", "cosine_l1", "general_ppl", "hed", "hed_parent", "ppl_drift"),
                    List.copyOf(atRelease.keySet()));
            assertEquals(0.0, atRelease.get("hed"), 0.0, "step 0 is its own reference");
            assertTrue(atRelease.get("hed_parent") > 0, "the defence moved layer 1");
            assertEquals(1.0, atRelease.get("cosine_l0"), 1e-6, "layer 0 comes before the change");
            assertTrue(atRelease.get("cosine_l1") < 0.9999, "cos l1 " + atRelease.get("cosine_l1"));

            // The drift is the ratio of the two perplexities, computed here from the scorer directly.
            List<ScoringInput> text = benign.stream()
                    .map(r -> tokenizer.forPromptResponse(r.prompt(), r.response())).toList();
            double[] p = nll(parent, text);
            double[] d = nll(released, text);
            assertEquals(PerplexityDrift.perplexity(d[0], (long) d[1]), atRelease.get("general_ppl"), 1e-9);
            assertEquals(Math.exp(d[0] / d[1] - p[0] / p[1]), atRelease.get("ppl_drift"), 1e-9);
            assertFalse(atRelease.get("ppl_drift") == 1.0);

            // Measured on the parent's weights: no drift from the parent, the released drift seen from the other side.
            Map<String, Double> onParent = byMetric(probe.measure(parent, List.of()));
            assertEquals(0.0, onParent.get("hed_parent"), 0.0);
            assertEquals(atRelease.get("hed_parent"), onParent.get("hed"), 1e-9 * onParent.get("hed"));
            assertEquals(1.0, onParent.get("ppl_drift"), 0.0);
            assertEquals(1.0, onParent.get("cosine_l1"), 1e-6);
        }
    }

    @Test
    void interventionsMoveTheRepresentationsAndSkipThePerplexity() {
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(dir));
                LlamaWeights parent = ImmuniseRunner.load(dir.resolve("models/aligned"), Device.cpu(), ComputeDtype.F32)) {
            DriftProbe probe = new DriftProbe(WorldContext.harmfulNll(world, "attack", 4),
                    WorldContext.benignEval(world, 4), tokenizer, 8);
            probe.prepare(parent, parent);
            float[] v = new float[parent.config().hiddenSize()];
            v[1] = 2f; // ‖v‖² = 4, added after the last layer only
            Map<String, Double> m = byMetric(probe.measure(parent, List.of(AddVector.afterLayer(1, v, 1.0))));
            assertEquals(List.of("cosine_l0", "cosine_l1", "hed", "hed_parent"), List.copyOf(m.keySet()));
            assertEquals(4.0, m.get("hed"), 1e-3);
        }
    }

    @Test
    void withoutHarmfulTextsOnlyThePerplexityIsMeasured() {
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(dir));
                LlamaWeights parent = ImmuniseRunner.load(dir.resolve("models/aligned"), Device.cpu(), ComputeDtype.F32)) {
            DriftProbe probe = new DriftProbe(List.of(), WorldContext.benignEval(world, 4), tokenizer, 8);
            probe.prepare(parent, parent);
            assertEquals(List.of("general_ppl", "ppl_drift"),
                    List.copyOf(byMetric(probe.measure(parent, List.of())).keySet()));
        }
    }

    private static double[] nll(LlamaWeights w, List<ScoringInput> text) {
        double sum = 0;
        long tokens = 0;
        for (SequenceScore s : new Scorer(w, RuntimeOptions.cpu()).score(text)) {
            sum += s.nllSum();
            tokens += s.nTokens();
        }
        return new double[]{sum, tokens};
    }
}
