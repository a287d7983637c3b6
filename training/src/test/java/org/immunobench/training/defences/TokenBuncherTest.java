package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.testing.WeightChecks;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBuncherTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void tokenNoiserPutsMassEpsilonOffTheTargetAndNoneOfItOnTheTarget() {
        long[] targets = {3, 0, 47, 3};
        int vocab = 48;
        double eps = 0.1;
        float[] q = TokenBuncher.noiserTargets(targets, vocab, eps, new Random(9));
        for (int i = 0; i < targets.length; i++) {
            int y = (int) targets[i];
            double off = 0;
            int positive = 0;
            for (int v = 0; v < vocab; v++) {
                float x = q[i * vocab + v];
                assertTrue(x >= 0, "q >= 0");
                if (v != y) {
                    off += x;
                    positive += x > 0 ? 1 : 0;
                }
            }
            // The noise component ε·z is zero on y: all of q_y is the (1 − ε) target mass.
            assertEquals((float) (1 - eps), q[i * vocab + y], "q on the target is exactly 1 − ε");
            assertEquals(eps, off, 1e-6, "total off-target mass is ε");
            assertTrue(positive >= vocab - 2, "the mass is spread over the vocabulary, got " + positive + " tokens");
        }
        // Fresh noise per position: rows 0 and 3 have the same target but different spreads.
        boolean differ = false;
        for (int v = 0; v < vocab; v++) {
            differ |= q[v] != q[3 * vocab + v];
        }
        assertTrue(differ);
        assertArrayEquals(q, TokenBuncher.noiserTargets(targets, vocab, eps, new Random(9)), "seeded");
        float[] none = TokenBuncher.noiserTargets(targets, vocab, 0.0, new Random(9));
        assertEquals(1f, none[3]);
        assertEquals(0f, none[4], "ε = 0 is plain NLL");
    }

    @Test
    void entropyAndNoiserTermsMatchAHostComputation() {
        List<TrainingExample> examples = CollapseFixtures.alignment(3);
        ResponseBatch batch = ResponseBatch.of(examples);
        TokenBuncher.TokenBuncherConfig cfg = new TokenBuncher.TokenBuncherConfig(null, null, null, 0.2, 1.0, 1.0,
                null, null, null, null, null, null, null);
        try (LlamaWeights w = CollapseFixtures.model(5)) {
            double[][] logp = CollapseFixtures.targetLogSoftmax(w, examples);
            float[] q = TokenBuncher.noiserTargets(batch.targetTokens(), 48, 0.2, new Random(4));
            double entropy = 0;
            double noiser = 0;
            for (int i = 0; i < logp.length; i++) {
                for (int v = 0; v < 48; v++) {
                    entropy -= Math.exp(logp[i][v]) * logp[i][v];
                    noiser -= q[i * 48 + v] * logp[i][v];
                }
            }
            entropy /= logp.length;
            noiser /= logp.length;
            double[] terms = new double[2];
            CollapseFixtures.asTrainer(w, params -> {
                double[] t = TokenBuncher.backwardBunching(w, batch, cfg, new Random(4));
                terms[0] = t[0];
                terms[1] = t[1];
                assertTrue(WeightChecks.maxAbs(WeightChecks.gradients(w)) > 0, "gradients were recorded");
            });
            System.out.printf("entropy %.6f (host %.6f), noiser CE %.6f (host %.6f)%n", terms[0], entropy, terms[1],
                    noiser);
            assertEquals(entropy, terms[0], 1e-5 * entropy);
            assertEquals(noiser, terms[1], 1e-5 * noiser);
        }
    }

    @Test
    void runsThroughTheRegistryReproducibly() {
        CollapseFixtures.assertRunsReproducibly(TokenBuncher.NAME, Map.of("steps", 3, "batch", 2, "lr", 1e-3),
                List.of("entropy", "noiser_ce", "retain_nll", "final_loss"));
        assertEquals(new TokenBuncher.TokenBuncherConfig(100, 5e-4, 8, 0.1, 1.0, 1.0, 1.0, null, null, null, null, null,
                null),
                TokenBuncher.TokenBuncherConfig.defaults());
    }

    /** The RL form's reward is −(1/|o|) Σ_t H_t of each rollout under the policy, against a host computation. */
    @Test
    void entropyRewardIsMinusTheMeanEntropyOfEachRollout() {
        List<int[]> prompts = CollapseFixtures.harmfulPrompts(3);
        List<int[]> completions = List.of(new int[] {16, 17, CollapseFixtures.EOS}, new int[] {28},
                new int[] {20, 21, 22, 23});
        List<TrainingExample> examples = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            examples.add(TrainingExample.promptResponse(prompts.get(i), completions.get(i)));
        }
        try (LlamaWeights w = CollapseFixtures.model(6)) {
            double[][] logp = CollapseFixtures.targetLogSoftmax(w, examples);
            double[] expected = new double[3];
            int k = 0;
            for (int i = 0; i < 3; i++) {
                double h = 0;
                for (int t = 0; t < completions.get(i).length; t++, k++) {
                    for (int v = 0; v < 48; v++) {
                        h -= Math.exp(logp[k][v]) * logp[k][v];
                    }
                }
                expected[i] = -h / completions.get(i).length;
            }
            double[] got = TokenBuncher.entropyReward(w, prompts, completions);
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[i], got[i], 1e-5);
            }
        }
    }

    @Test
    void rlFormRunsThroughTheRegistryReproduciblyAndKeepsTheSftFormsConfig() {
        CollapseFixtures.assertRunsReproducibly(TokenBuncher.NAME, Map.of("form", "rl", "steps", 4, "batch", 2,
                "lr", 1e-3, "rollouts", 3, "max_new_tokens", 4, "noiser_warmup", 1),
                List.of("first_entropy", "final_entropy", "rollout_batches", "final_loss"));
        // The SFT form resolves to the keys it always had (checkpoint ids of earlier runs stay valid).
        assertEquals(List.of("steps", "lr", "batch", "epsilon", "entropy_weight", "noiser_weight", "retain_weight"),
                List.copyOf(Defences.resolvedConfig(TokenBuncher.NAME, Map.of("form", "sft"), "d").keySet()));
        Map<String, Object> rl = Defences.resolvedConfig(TokenBuncher.NAME, Map.of("form", "rl"), "d");
        assertEquals("rl", rl.get("form"));
        assertEquals(4, rl.get("rollouts"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Defences.create(TokenBuncher.NAME, Map.of("rollouts", 4), 0, "defences[0].config"));
        assertTrue(e.getMessage().contains("rollouts: only for form: rl"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Defences.create(TokenBuncher.NAME,
                Map.of("form", "rl", "retain_weight", 1.0), 0, "defences[0].config"));
        assertTrue(e.getMessage().contains("retain_weight: only for form: sft"), e.getMessage());
    }
}
