package org.immunobench.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Autograd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-token policy-gradient loss of a rollout batch, averaged per sequence then over sequences. For completion
 * token t of rollout i with advantage A_i, l_t = log π_θ(o_t | q, o_&lt;t), old_t its value under the policy that
 * sampled (π_old), ref_t under the frozen reference (the attacked checkpoint as it was):
 * <pre>
 *   GRPO:      ρ_t = exp(l_t − old_t),   pg_t = −min(ρ_t A_i, clip(ρ_t, 1 − ε, 1 + ε) A_i)
 *   REINFORCE: pg_t = −A_i l_t
 *   KL (k3):   kl_t = exp(ref_t − l_t) − (ref_t − l_t) − 1        (≥ 0, unbiased for KL(π_θ ‖ π_ref))
 *   L = (1/G) Σ_i (1/|o_i|) Σ_t (pg_t + β kl_t)
 * </pre>
 * GRPO as in DeepSeekMath (arXiv 2402.03300, eq. 3: clipped surrogate, KL in the loss with the k3 estimator,
 * sequence-then-batch mean). With one update per rollout batch ρ = 1 and the clip is inactive; it bites from the
 * second update on the same rollouts.
 */
public final class PolicyLoss {
    /** Which estimator. */
    public enum Algorithm { GRPO, REINFORCE }

    private PolicyLoss() {
    }

    /**
     * Adds ∂L/∂θ to the trainable arrays' gradients in a recording of its own.
     *
     * @param advantages A_i per rollout row
     * @param oldLogProbs old_t per target, or null to take π_old = π_θ as it is now (one update per rollout batch)
     * @param refLogProbs ref_t per target, or null when β = 0
     * @return the loss and its parts: {@code pg}, {@code kl} (mean k3 per sequence), {@code clip_fraction} (share of
     *     tokens whose clipped term is the active one, GRPO only)
     */
    public static Map<String, Double> backward(LlamaWeights w, RolloutBatch b, double[] advantages,
            float[] oldLogProbs, float[] refLogProbs, Algorithm algorithm, double clip, double beta,
            int vocabChunk) {
        if (advantages.length != b.rows()) {
            throw new IllegalArgumentException(advantages.length + " advantages for " + b.rows() + " rollouts");
        }
        if (beta > 0 && refLogProbs == null) {
            throw new IllegalArgumentException("a KL coefficient > 0 needs the reference log-probabilities");
        }
        int n = b.targets();
        float[] adv = new float[n];
        for (int k = 0; k < n; k++) {
            adv[k] = (float) advantages[b.targetRows()[k]];
        }
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray logp = b.logProbs(w, scope, vocabChunk); // (N)
            NDArray weights = scope.create(b.sequenceMeanWeights());
            NDArray a = scope.create(adv);
            NDArray pg;
            NDArray activeClip = null;
            if (algorithm == Algorithm.GRPO) {
                NDArray old = oldLogProbs == null ? logp.stopGradient() : scope.create(oldLogProbs);
                NDArray ratio = logp.sub(old).exp();
                NDArray clipped = NDArrays.minimum(NDArrays.maximum(ratio, scalar(scope, 1 - clip)),
                        scalar(scope, 1 + clip));
                NDArray s1 = ratio.mul(a);
                NDArray s2 = clipped.mul(a);
                pg = NDArrays.minimum(s1, s2).neg();
                activeClip = s2.lt(s1);
            } else {
                pg = logp.mul(a).neg();
            }
            NDArray perToken = pg;
            NDArray kl = null;
            if (beta > 0) {
                NDArray d = scope.create(refLogProbs).sub(logp);
                kl = d.exp().sub(d).sub(scalar(scope, 1));
                perToken = pg.add(kl.mul(scalar(scope, beta)));
            }
            NDArray loss = perToken.mul(weights).sum();
            recording.backward(loss);
            Map<String, Double> parts = new LinkedHashMap<>();
            parts.put("loss", (double) loss.getFloat());
            parts.put("pg", (double) pg.mul(weights).sum().getFloat());
            parts.put("kl", kl == null ? 0.0 : (double) kl.mul(weights).sum().getFloat());
            if (activeClip != null) {
                parts.put("clip_fraction", activeClip.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .mean().getFloat() * 1.0);
            }
            return parts;
        }
    }

    /** A 0-d tensor operand (never a Number operand on the autograd path, see the trainer). */
    private static NDArray scalar(NDManager scope, double v) {
        return scope.full(new Shape(), (float) v);
    }
}
