package org.immunobench.lm.scoring;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    static double[] expectedNll(LlamaWeights w, int[] tokens, int from) {
        float[][][] logits = Forwards.logits(w, new int[][] {tokens}, null);
        int first = Math.max(1, from);
        double[] out = new double[tokens.length - first];
        for (int t = first; t < tokens.length; t++) {
            float[] row = logits[0][t - 1];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : row) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : row) {
                sum += Math.exp(v - max);
            }
            out[t - first] = Math.log(sum) + max - row[tokens[t]];
        }
        return out;
    }

    @Test
    void batchedMaskedScoresEqualPerSequenceLogSoftmax() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 31, 0.2), Device.cpu())) {
            Random r = new Random(32);
            List<ScoringInput> inputs = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                int n = 3 + r.nextInt(20);
                int[] t = new int[n];
                for (int j = 0; j < n; j++) {
                    t[j] = 4 + r.nextInt(c.vocabSize() - 4);
                }
                inputs.add(new ScoringInput(t, i % 3 == 0 ? 0 : r.nextInt(n)));
            }
            // Tight budget forces several batches and a vocabulary split into chunks of 10.
            Scorer s = new Scorer(w, RuntimeOptions.cpu().withBatching(40, 3).withVocabChunk(10));
            List<float[]> nlls = s.tokenNlls(inputs);
            List<SequenceScore> scores = s.score(inputs);
            double worst = 0;
            for (int i = 0; i < inputs.size(); i++) {
                double[] expected = expectedNll(w, inputs.get(i).tokens(), inputs.get(i).scoreFrom());
                assertEquals(expected.length, nlls.get(i).length);
                assertEquals(inputs.get(i).scoredTokens(), scores.get(i).nTokens());
                double sum = 0;
                for (int k = 0; k < expected.length; k++) {
                    worst = Math.max(worst, Math.abs(expected[k] - nlls.get(i)[k]));
                    sum += expected[k];
                }
                assertEquals(sum, scores.get(i).nllSum(), 1e-3);
                if (expected.length > 0) {
                    assertEquals(Math.exp(sum / expected.length), scores.get(i).perplexity(), 1e-3);
                }
            }
            System.out.printf("scorer vs per-sequence log-softmax: max diff %.2e%n", worst);
            assertTrue(worst < 1e-4);
        }
    }

    @Test
    void longTextsAreScoredInOverlappingWindows() {
        ModelConfig c = TinyModels.llama();
        try (LlamaWeights w = LlamaWeights.fromHost(c, RandomInit.weights(c, 33, 0.2), Device.cpu())) {
            int[] t = new int[30];
            Random r = new Random(34);
            for (int j = 0; j < t.length; j++) {
                t[j] = 4 + r.nextInt(40);
            }
            ScoringInput in = new ScoringInput(t, 3);
            List<Scorer.Window> windows = Scorer.windowsOf(0, in, 8);
            int covered = 0;
            int next = 3;
            for (Scorer.Window wd : windows) {
                assertEquals(next, wd.firstTarget());
                assertTrue(wd.end() - wd.start() <= 8);
                assertTrue(wd.firstTarget() - wd.start() >= 1);
                covered += wd.end() - wd.firstTarget();
                next = wd.end();
            }
            assertEquals(27, covered);
            float[] windowed = new Scorer(w, RuntimeOptions.cpu(), 8).tokenNlls(List.of(in)).get(0);
            float[] full = new Scorer(w, RuntimeOptions.cpu(), 128).tokenNlls(List.of(in)).get(0);
            assertEquals(27, windowed.length);
            // Targets in the first window see the same context either way.
            for (int k = 0; k < 5; k++) {
                assertEquals(full[k], windowed[k], 1e-5);
            }
        }
    }

    @Test
    void lengthBatchesRespectTheBudgetAndCoverEveryRowOnce() {
        int[] lengths = {5, 50, 7, 7, 100, 3, 9, 200};
        List<int[]> plan = LengthBatches.plan(lengths, 64, 4);
        boolean[] seen = new boolean[lengths.length];
        for (int[] batch : plan) {
            int longest = 0;
            for (int i : batch) {
                assertTrue(!seen[i]);
                seen[i] = true;
                longest = Math.max(longest, lengths[i]);
            }
            assertTrue(batch.length <= 4);
            assertTrue(batch.length == 1 || longest * batch.length <= 64, "batch over budget");
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
        assertEquals(plan.toString().length() > 0, true);
    }
}
