package org.immunobench.training.defences;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny random Llama and tiny defender data for the representation-defence tests. */
final class RepresentationFixtures {
    /** V 48, D 16, I 32, 4 layers (so layers above the default circuit-breaker targets 1 and 2 exist), 4/2 heads. */
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 4, 4, 2, 64);

    private RepresentationFixtures() {
    }

    static LlamaWeights tiny(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    /** n prompt → response examples, prompts of 3–5 tokens and responses of 4–7, ids in [lo, lo + 20). */
    static List<TrainingExample> examples(int n, int lo, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[3 + random.nextInt(3)];
            int[] response = new int[4 + random.nextInt(4)];
            for (int j = 0; j < prompt.length; j++) {
                prompt[j] = lo + random.nextInt(20);
            }
            for (int j = 0; j < response.length; j++) {
                response[j] = lo + random.nextInt(20);
            }
            out.add(TrainingExample.promptResponse(prompt, response));
        }
        return out;
    }

    /** Harmful demonstrations in ids 1–20, benign ones in 24–43, refusals (ids 44–47) to the harmful prompts. */
    static DefenceData data() {
        List<TrainingExample> harmful = examples(12, 1, 1);
        List<TrainingExample> refusals = new ArrayList<>();
        for (TrainingExample e : harmful) {
            boolean[] mask = e.lossMask();
            int promptLength = 0;
            while (!mask[promptLength]) {
                promptLength++;
            }
            int[] prompt = java.util.Arrays.copyOf(e.tokens(), promptLength);
            refusals.add(TrainingExample.promptResponse(prompt, new int[] {44, 45, 46, 47}));
        }
        return new DefenceData(refusals, harmful, examples(12, 24, 2), List.of(), List.of(), null);
    }

    static void assertFiniteMetrics(DefenceResult r, List<String> keys) {
        for (String k : keys) {
            assertTrue(r.metrics().containsKey(k), "metric " + k + " missing from " + r.metrics().keySet());
            assertTrue(Double.isFinite(r.metrics().get(k)), k + " = " + r.metrics().get(k));
        }
    }
}
