package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.immunobench.training.defences.CollapseFixtures.CONFIG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepAlignmentTest {
    static final DeepAlignment.DeepAlignmentConfig DEFAULTS = DeepAlignment.DeepAlignmentConfig.defaults();

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void recoveryExampleMasksPromptAndHarmfulPrefixAndTrainsTheRefusal() {
        int[] prompt = CollapseFixtures.harmfulPrompt(1);
        int[] answer = {16, 17, 18, 19};
        int[] refusal = CollapseFixtures.refusal(1);
        TrainingExample e = DeepAlignment.recoveryExample(prompt, answer, refusal, 3);
        assertArrayEquals(new int[] {2, 5, 11, 15, 16, 17, 18, 28, 29, 31, 33, 3}, e.tokens());
        boolean[] expected = new boolean[12];
        Arrays.fill(expected, 7, 12, true); // refusal tokens only: prompt (4) and prefix (3) are context
        assertArrayEquals(expected, e.lossMask());
    }

    @Test
    void augmentationSplicesAPrefixOfTheSameDomainsHarmfulAnswer() {
        DeepAlignment.DeepAlignmentConfig always = new DeepAlignment.DeepAlignmentConfig(null, null, null, 1.0,
                null, null, null, null, null, null);
        DeepAlignment.RecoveryAugmentation aug = new DeepAlignment.RecoveryAugmentation(
                new ExampleStream("alignment", CollapseFixtures.alignment(6), 1, CONFIG), CollapseFixtures.harmful(6),
                always, CONFIG, 1);
        int[] lengths = new int[5];
        for (TrainingExample e : aug.next(40)) {
            int[] t = e.tokens();
            boolean[] m = e.lossMask();
            int i = 0; // which prompt: the alignment example's prompt is harmfulPrompt(i) for some i < 6
            while (!Arrays.equals(Arrays.copyOf(t, 4), CollapseFixtures.harmfulPrompt(i))) {
                i++;
            }
            int[] answer = CollapseFixtures.harmfulAnswer(i); // identical prompt → its own harmful answer
            int[] refusal = CollapseFixtures.refusal(i);
            int k = t.length - 4 - refusal.length;
            assertTrue(k >= 1 && k <= answer.length - 1, "1 ≤ k ≤ |h| without EOS, got " + k);
            assertArrayEquals(Arrays.copyOf(answer, k), Arrays.copyOfRange(t, 4, 4 + k));
            assertArrayEquals(refusal, Arrays.copyOfRange(t, 4 + k, t.length));
            for (int j = 0; j < t.length; j++) {
                assertEquals(j >= 4 + k, m[j], "mask at " + j);
            }
            lengths[k]++;
        }
        assertTrue(lengths[1] > 0 && lengths[4] > 0, "k drawn over its whole range: " + Arrays.toString(lengths));
        assertEquals(1.0, aug.lastAugmentedShare());
    }

    @Test
    void betaScheduleFollowsThePaper() {
        double[] expected = {0.5, 2, 2, 2, 2, 0.1, 0.1, 0.1};
        for (int t = 1; t <= expected.length; t++) {
            assertEquals(expected[t - 1], DEFAULTS.betaAt(t), 1e-12, "β_" + t);
        }
        DeepAlignment.DeepAlignmentConfig other = new DeepAlignment.DeepAlignmentConfig(null, null, null, null,
                null, 0.2, 3.0, 10.0, 2, null);
        assertEquals(0.6, other.betaAt(1), 1e-12);
        assertEquals(2.0, other.betaAt(2), 1e-12);
        assertEquals(0.2, other.betaAt(3), 1e-12);
    }

    @Test
    void tokenWeightsFollowTheBetaSchedule() {
        // Same Δ = log π_θ − log π_0 = 0.7 at response tokens t = 1 … 7, then Δ = 0 and a Δ that hits the floor.
        float[] logProbs = {-1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -2.0f, -0.01f};
        float[] reference = {-1.7f, -1.7f, -1.7f, -1.7f, -1.7f, -1.7f, -1.7f, -2.0f, -9.0f};
        int[] index = {1, 2, 3, 4, 5, 6, 7, 1, 3};
        float[] w = DeepAlignment.tokenWeights(logProbs, reference, index, DEFAULTS);
        for (int i = 0; i < 7; i++) {
            double beta = i == 0 ? 0.5 : i <= 4 ? 2.0 : 0.1;
            double delta = (double) logProbs[i] - reference[i];
            double expected = 2 * (1 - 1 / (1 + Math.exp(-beta * delta)));
            assertEquals(expected, w[i], 1e-6, "w_" + (i + 1));
        }
        assertTrue(w[1] < w[0] && w[0] < w[5], "β 2 damps more than β 0.5, which damps more than β 0.1");
        assertEquals(1.0, w[7], 1e-7, "Δ = 0: weight 1, plain SFT");
        assertEquals(DeepAlignment.MIN_TOKEN_WEIGHT, w[8], 1e-9, "floored at 1e-3");
    }

    @Test
    void constrainedLossAtTheInitialWeightsIsPlainNllAndPullsBackOnceTheModelMoves() {
        ResponseBatch batch = ResponseBatch.of(CollapseFixtures.benign(4));
        try (LlamaWeights w = CollapseFixtures.model(6); LlamaWeights moved = CollapseFixtures.model(7)) {
            float[] reference = batch.frozenTargetLogProbs(w, 32768);
            double[][] logp = CollapseFixtures.targetLogSoftmax(w, CollapseFixtures.benign(4));
            for (int i = 0; i < reference.length; i++) {
                assertEquals(logp[i][(int) batch.targetTokens()[i]], reference[i], 1e-5, "frozen log-prob " + i);
            }
            double[][] terms = new double[2][];
            CollapseFixtures.asTrainer(w, params -> terms[0] = DeepAlignment.backwardConstrained(w, batch, reference,
                    DEFAULTS, 32768));
            assertEquals(terms[0][1], terms[0][0], 1e-6 * terms[0][1], "every w_t = 1 at θ = π_0");
            assertEquals(1.0, terms[0][2], 1e-6);
            // Another model as θ: the weights now depend on Δ_t and differ from 1.
            CollapseFixtures.asTrainer(moved, params -> terms[1] = DeepAlignment.backwardConstrained(moved, batch,
                    reference, DEFAULTS, 32768));
            assertTrue(Math.abs(terms[1][2] - 1.0) > 1e-3, "mean weight " + terms[1][2]);
        }
    }

    @Test
    void runsThroughTheRegistryReproducibly() {
        CollapseFixtures.assertRunsReproducibly(DeepAlignment.NAME, Map.of("steps", 3, "batch", 2, "lr", 1e-3),
                List.of("safety_nll", "augmented_share", "retain_constrained", "retain_nll",
                        "retain_token_weight_mean", "beta_1", "final_loss"));
    }
}
