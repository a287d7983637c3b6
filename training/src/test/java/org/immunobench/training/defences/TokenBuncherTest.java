package org.immunobench.training.defences;

import org.immunobench.training.testing.WeightChecks;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
