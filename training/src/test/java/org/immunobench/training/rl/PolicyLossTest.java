package org.immunobench.training.rl;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.testing.WeightChecks;
import org.immunobench.training.trainer.TrainerConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clipped GRPO objective and the k3 KL term on a tiny model, checked by hand from the policy's own log-probs:
 * with planted π_old and π_ref log-probs every ratio and KL value is known in closed form.
 */
class PolicyLossTest {
    private static final int CHUNK = TrainerConfig.DEFAULT_VOCAB_CHUNK;
    private static final double EPS = 0.2;

    @Test
    void lossMatchesAHandComputationWithClippedAndUnclippedTokens() {
        RolloutBatch b = TinyPolicy.batch();
        double[] adv = {1.0, -1.0, 0.5, -2.0};
        double beta = 0.3;
        try (LlamaWeights w = TinyPolicy.model(1)) {
            float[] lp = b.frozenLogProbs(w, CHUNK);
            float[] old = new float[lp.length];
            float[] ref = new float[lp.length];
            double[] offsets = {0.5, -0.5, 0.05, 0.3, -0.02};
            int[] len = new int[b.rows()];
            for (int r : b.targetRows()) {
                len[r]++;
            }
            double expected = 0;
            double expectedKl = 0;
            int clipped = 0;
            for (int t = 0; t < lp.length; t++) {
                double o = offsets[t % offsets.length];
                old[t] = (float) (lp[t] - o); // ρ_t = e^o
                double delta = 0.1 * (t % 4) - 0.15;
                ref[t] = (float) (lp[t] + delta);
                double a = adv[b.targetRows()[t]];
                double rho = Math.exp(o);
                double s1 = rho * a;
                double s2 = Math.max(1 - EPS, Math.min(1 + EPS, rho)) * a;
                clipped += s2 < s1 ? 1 : 0;
                double kl = Math.exp(delta) - delta - 1;
                double weight = 1.0 / (len[b.targetRows()[t]] * b.rows());
                expected += weight * (-Math.min(s1, s2) + beta * kl);
                expectedKl += weight * kl;
            }
            assertTrue(clipped > 0 && clipped < lp.length, "the table has clipped and unclipped tokens: " + clipped);
            double[] got = new double[3];
            TinyPolicy.asTrainer(w, params -> {
                Map<String, Double> parts = PolicyLoss.backward(w, b, adv, old, ref, PolicyLoss.Algorithm.GRPO, EPS,
                        beta, CHUNK);
                got[0] = parts.get("loss");
                got[1] = parts.get("kl");
                got[2] = parts.get("clip_fraction");
                assertTrue(WeightChecks.maxAbs(WeightChecks.gradients(params)) > 0);
            });
            System.out.printf("GRPO loss %.7f (hand %.7f), KL %.7f (hand %.7f)%n", got[0], expected, got[1],
                    expectedKl);
            assertEquals(expected, got[0], 1e-5);
            assertEquals(expectedKl, got[1], 1e-6);
            assertEquals(clipped / (double) lp.length, got[2], 1e-6);
        }
    }

    /**
     * With every ratio above 1 + ε and every advantage positive, the clipped term is the minimum everywhere and is
     * constant in θ: no gradient at all (β = 0). With negative advantages the unclipped term is the minimum and
     * the gradient is back.
     */
    @Test
    void clippedTokensGiveNoGradient() {
        RolloutBatch b = TinyPolicy.batch();
        try (LlamaWeights w = TinyPolicy.model(2)) {
            float[] lp = b.frozenLogProbs(w, CHUNK);
            float[] old = new float[lp.length];
            for (int t = 0; t < lp.length; t++) {
                old[t] = lp[t] - 0.5f; // ρ = e^0.5 ≈ 1.65 > 1.2
            }
            double[] norms = new double[2];
            TinyPolicy.asTrainer(w, params -> {
                PolicyLoss.backward(w, b, new double[] {1, 2, 0.5, 1}, old, null, PolicyLoss.Algorithm.GRPO, EPS, 0,
                        CHUNK);
                norms[0] = WeightChecks.maxAbs(WeightChecks.gradients(params));
                WeightChecks.zeroGradients(params);
                PolicyLoss.backward(w, b, new double[] {-1, -2, -0.5, -1}, old, null, PolicyLoss.Algorithm.GRPO, EPS,
                        0, CHUNK);
                norms[1] = WeightChecks.maxAbs(WeightChecks.gradients(params));
            });
            assertEquals(0.0, norms[0], 0.0, "all tokens clipped");
            assertTrue(norms[1] > 1e-4, "unclipped: " + norms[1]);
        }
    }

    /** At ρ = 1 (one update per rollout batch) ∇ρ = ∇log π, so GRPO's gradient is REINFORCE's with the same A. */
    @Test
    void grpoAtRatioOneHasTheReinforceGradient() {
        RolloutBatch b = TinyPolicy.batch();
        double[] adv = {0.7, -1.3, 0.2, 0.9};
        try (LlamaWeights w = TinyPolicy.model(3)) {
            List<List<float[]>> grads = new java.util.ArrayList<>();
            TinyPolicy.asTrainer(w, params -> {
                for (PolicyLoss.Algorithm a : PolicyLoss.Algorithm.values()) {
                    PolicyLoss.backward(w, b, adv, null, null, a, EPS, 0, CHUNK);
                    grads.add(WeightChecks.gradients(params));
                    WeightChecks.zeroGradients(params);
                }
            });
            double diff = 0;
            for (int i = 0; i < grads.get(0).size(); i++) {
                diff = Math.max(diff, WeightChecks.maxAbsDiff(grads.get(0).get(i), grads.get(1).get(i)));
            }
            assertTrue(WeightChecks.maxAbs(grads.get(0)) > 1e-4);
            assertEquals(0.0, diff, 1e-6);
        }
    }

    /**
     * k3 KL: zero with zero gradient where π_θ = π_ref; with ref = log π + δ on every token its value is e^δ − δ − 1
     * and its gradient (1 − e^δ) ∇ Σ_t w_t log π_t, i.e. REINFORCE's with every advantage e^δ − 1.
     */
    @Test
    void klTermIsZeroAtTheReferenceAndHasItsClosedFormOffIt() {
        RolloutBatch b = TinyPolicy.batch();
        double delta = 0.3;
        try (LlamaWeights w = TinyPolicy.model(4)) {
            float[] lp = b.frozenLogProbs(w, CHUNK);
            float[] shifted = new float[lp.length];
            for (int t = 0; t < lp.length; t++) {
                shifted[t] = (float) (lp[t] + delta);
            }
            double[] zero = new double[b.rows()];
            double[] kl = new double[2];
            double[] atRefGrad = new double[1];
            List<List<float[]>> grads = new java.util.ArrayList<>();
            TinyPolicy.asTrainer(w, params -> {
                kl[0] = PolicyLoss.backward(w, b, zero, null, lp, PolicyLoss.Algorithm.GRPO, EPS, 1, CHUNK).get("loss");
                atRefGrad[0] = WeightChecks.maxAbs(WeightChecks.gradients(params));
                WeightChecks.zeroGradients(params);
                kl[1] = PolicyLoss.backward(w, b, zero, null, shifted, PolicyLoss.Algorithm.GRPO, EPS, 1, CHUNK)
                        .get("loss");
                grads.add(WeightChecks.gradients(params));
                WeightChecks.zeroGradients(params);
                double a = Math.exp(delta) - 1;
                PolicyLoss.backward(w, b, new double[] {a, a, a, a}, null, null, PolicyLoss.Algorithm.REINFORCE, EPS,
                        0, CHUNK);
                grads.add(WeightChecks.gradients(params));
            });
            assertEquals(0.0, kl[0], 1e-6);
            assertEquals(0.0, atRefGrad[0], 1e-6);
            assertEquals(Math.exp(delta) - delta - 1, kl[1], 1e-6);
            double diff = 0;
            for (int i = 0; i < grads.get(0).size(); i++) {
                diff = Math.max(diff, WeightChecks.maxAbsDiff(grads.get(0).get(i), grads.get(1).get(i)));
            }
            assertTrue(WeightChecks.maxAbs(grads.get(0)) > 1e-5);
            assertEquals(0.0, diff, 1e-6);
        }
    }
}
