package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.PaddedBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.immunobench.training.testing.WeightChecks.assertBitIdentical;
import static org.immunobench.training.defences.MetaFixtures.batch;
import static org.immunobench.training.testing.WeightChecks.gradients;
import static org.immunobench.training.testing.WeightChecks.maxAbs;
import static org.immunobench.training.testing.WeightChecks.maxAbsDiff;
import static org.immunobench.training.defences.MetaFixtures.tiny;
import static org.immunobench.training.testing.WeightChecks.trainable;
import static org.immunobench.training.testing.WeightChecks.snapshot;
import static org.immunobench.training.testing.WeightChecks.zeroGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulated attack shared by TAR and MLAC, on a tiny random Llama. */
class InnerLoopTest {
    static final int K = 4;
    static final double ETA = 0.5;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /**
     * During the loop the weights are the attacked ones (they differ from θ and the harmful NLL falls step by step);
     * on close θ is back bit for bit and the gradient held before the loop is handed back unchanged.
     */
    @Test
    void attacksInPlaceThenRestoresTheOuterWeightsAndGradients() {
        try (LlamaWeights w = tiny(3)) {
            List<NDArray> params = trainable(w);
            PaddedBatch harmful = batch(MetaFixtures.harmful(4), 4);
            InnerLoop.Loss nll = InnerLoop.meanNll(harmful, 1 << 15);
            InnerLoop.backward(w, InnerLoop.meanNll(batch(MetaFixtures.benign(4), 4), 1 << 15), 1.0);
            List<float[]> heldGradient = gradients(params);
            Map<String, float[]> outer = snapshot(w);
            double atTheta = InnerLoop.value(w, nll);

            double[] seen = new double[K + 1];
            try (InnerLoop attack = InnerLoop.begin(w, params)) {
                assertEquals(0.0, maxAbs(gradients(params)), "gradients are scratch space inside the loop");
                for (int k = 0; k < K; k++) {
                    seen[k] = attack.descend(nll, ETA);
                }
                seen[K] = InnerLoop.value(w, nll);
                assertEquals(K, attack.steps());
                double moved = maxAbsDiff(outer, snapshot(w));
                System.out.printf("inner loop: harmful NLL %.4f at θ, %.4f after %d SGD steps of %.2f; max |θ_K − θ|"
                        + " %.3e%n", atTheta, seen[K], K, ETA, moved);
                assertTrue(moved > 1e-3, "the attacked weights differ from θ");
                assertEquals(atTheta, seen[0], 0.0, "the first step starts at θ");
                for (int k = 1; k <= K; k++) {
                    assertTrue(seen[k] < seen[k - 1], "harmful NLL falls at step " + k);
                }
                assertTrue(seen[K] < atTheta - 0.1, "the simulated attack works: NLL(θ_K) well below NLL(θ)");
            }
            assertBitIdentical(outer, snapshot(w));
            assertEquals(atTheta, InnerLoop.value(w, nll), 0.0);
            List<float[]> after = gradients(params);
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(heldGradient.get(i), after.get(i), "the gradient held before the loop, param " + i);
            }
        }
    }

    /** accumulate(L, c) inside the loop leaves c·∇L(θ_K) on top of the held gradient once the loop is closed. */
    @Test
    void accumulatedGradientsAreTakenAtTheAttackedWeights() {
        try (LlamaWeights w = tiny(4)) {
            List<NDArray> params = trainable(w);
            PaddedBatch harmful = batch(MetaFixtures.harmful(4), 4);
            PaddedBatch refusal = batch(MetaFixtures.refusals(4), 4);
            InnerLoop.Loss nll = InnerLoop.meanNll(harmful, 1 << 15);
            InnerLoop.Loss probe = InnerLoop.meanNll(refusal, 1 << 15);
            double c = -2.5;

            // Reference: walk to θ_K by the same steps, take ∇probe there, walk back.
            List<float[]> atAttacked;
            try (InnerLoop walk = InnerLoop.begin(w, params)) {
                for (int k = 0; k < 2; k++) {
                    walk.descend(nll, ETA);
                }
                InnerLoop.backward(w, probe, 1.0);
                atAttacked = gradients(params);
                zeroGradients(params);
            }
            List<float[]> atTheta;
            InnerLoop.backward(w, probe, 1.0);
            atTheta = gradients(params);
            zeroGradients(params);

            try (InnerLoop attack = InnerLoop.begin(w, params)) {
                for (int k = 0; k < 2; k++) {
                    attack.descend(nll, ETA);
                }
                attack.accumulate(probe, c);
            }
            List<float[]> got = gradients(params);
            double err = 0;
            double offTheta = 0;
            for (int i = 0; i < got.size(); i++) {
                for (int j = 0; j < got.get(i).length; j++) {
                    err = Math.max(err, Math.abs(got.get(i)[j] - c * atAttacked.get(i)[j]));
                    offTheta = Math.max(offTheta, Math.abs(got.get(i)[j] - c * atTheta.get(i)[j]));
                }
            }
            double scale = Math.abs(c) * maxAbs(atAttacked);
            System.out.printf("accumulate: max |g − c∇L(θ_K)| %.2e of max |c∇L(θ_K)| %.2e (tolerance 1e-5 relative);"
                    + " vs c∇L(θ) %.2e%n", err, scale, offTheta);
            assertTrue(err <= 1e-5 * scale);
            assertTrue(offTheta > 1e-3 * scale, "control: the gradient at θ is a different vector");
        }
    }

    @Test
    void refusesToRunInsideARecording() {
        try (LlamaWeights w = tiny(5)) {
            List<NDArray> params = trainable(w);
            try (Autograd.Recording r = Autograd.record()) {
                assertThrows(IllegalStateException.class, () -> InnerLoop.begin(w, params));
            }
            InnerLoop attack = InnerLoop.begin(w, params);
            attack.close();
            assertThrows(IllegalStateException.class,
                    () -> attack.descend(InnerLoop.meanNll(batch(MetaFixtures.harmful(1), 1), 1 << 15), ETA));
        }
    }
}
