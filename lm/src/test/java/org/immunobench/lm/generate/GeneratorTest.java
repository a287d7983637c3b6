package org.immunobench.lm.generate;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class GeneratorTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    /** Greedy decoding by re-running the full forward each step, no cache, one row at a time. */
    static int[] fullForwardGreedy(LlamaWeights w, int[] prompt, int steps, Set<Integer> stop) {
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) {
            seq.add(t);
        }
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            int[] ids = seq.stream().mapToInt(Integer::intValue).toArray();
            float[][][] logits = Forwards.logits(w, new int[][] {ids}, null);
            float[] last = logits[0][ids.length - 1];
            int next = TokenChoice.argmax(last, 0, last.length);
            out.add(next);
            seq.add(next);
            if (stop.contains(next)) {
                break;
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void cachedBatchedGreedyEqualsFullForwardGreedy() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 21, 0.3), Device.cpu())) {
                List<int[]> prompts = List.of(new int[] {2, 7, 9, 11, 4, 30}, new int[] {2, 12}, new int[] {2, 40,
                        41, 5});
                List<int[]> cached = new Generator(w).generate(prompts, SamplingConfig.greedy(12, Set.of()));
                for (int i = 0; i < prompts.size(); i++) {
                    int[] expected = fullForwardGreedy(w, prompts.get(i), 12, Set.of());
                    assertArrayEquals(expected, cached.get(i), c.modelType() + " prompt " + i);
                }
            }
        }
    }

    @Test
    void stopTokensEndRowsAndSamplingIsSeeded() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 23, 0.3), Device.cpu())) {
            Generator g = new Generator(w);
            int[] prompt = {2, 7, 9};
            int[] free = g.generate(List.of(prompt), SamplingConfig.greedy(10, Set.of())).get(0);
            int stop = free[2];
            int[] stopped = g.generate(List.of(prompt), SamplingConfig.greedy(10, Set.of(stop))).get(0);
            int firstStop = 0;
            while (free[firstStop] != stop) {
                firstStop++;
            }
            assertArrayEquals(Arrays.copyOf(free, firstStop + 1), stopped);

            SamplingConfig sample = new SamplingConfig(15, 1.5, 0.95, 99, Set.of());
            List<int[]> a = g.generate(List.of(prompt, prompt), sample);
            List<int[]> b = g.generate(List.of(prompt, prompt), sample);
            assertArrayEquals(a.get(0), b.get(0));
            assertArrayEquals(a.get(1), b.get(1));
            assertNotEquals(Arrays.toString(a.get(0)), Arrays.toString(a.get(1)), "rows draw independently");
            // A nucleus that keeps one token is greedy.
            int[] nucleusOfOne = g.generate(List.of(prompt), new SamplingConfig(10, 1.0, 1e-9, 5, Set.of())).get(0);
            assertArrayEquals(free, nucleusOfOne);
        }
    }

    @Test
    void topPSamplingFollowsTheDistribution() {
        float[] logits = {0f, (float) Math.log(3), -100f};
        Random r = new Random(1);
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) {
            counts[TokenChoice.sample(logits, 0, 3, 1.0, 1.0, r)]++;
        }
        assertEquals(0.25, counts[0] / 20000.0, 0.015);
        assertEquals(0, counts[2]);
        int[] nucleus = new int[3];
        for (int i = 0; i < 1000; i++) {
            nucleus[TokenChoice.sample(logits, 0, 3, 1.0, 0.7, r)]++;
        }
        assertEquals(1000, nucleus[1]);
    }
}
