package org.immunobench.training.attacks;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.LeftPadded;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.ArrayList;
import java.util.List;

/** Next-token log-probabilities after each prompt (left-padded batches), with optional interventions. */
final class LastTokenLogits {
    private LastTokenLogits() {
    }

    /** [prompt][V] log-softmax of the last position. */
    static double[][] logProbs(LlamaWeights w, List<int[]> prompts, List<ResidualIntervention> interventions,
            int batchSize) {
        List<double[]> out = new ArrayList<>();
        ForwardOptions options = ForwardOptions.hiddenOnly().withLogits(ForwardOptions.Logits.LAST)
                .withInterventions(interventions);
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<int[]> batch = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
            LeftPadded padded = LeftPadded.of(batch);
            Shape shape = new Shape(padded.rows(), padded.length());
            float[] logits;
            try (NDManager scope = NDManager.newBaseManager(w.device())) {
                logits = LlamaForward.forward(w, scope.create(padded.tokens(), shape),
                        scope.create(padded.mask(), shape), options, null).logits().toFloatArray();
            }
            int v = logits.length / batch.size();
            for (int r = 0; r < batch.size(); r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[r * v + k]);
                }
                double sum = 0;
                for (int k = 0; k < v; k++) {
                    sum += Math.exp(logits[r * v + k] - max);
                }
                double lse = max + Math.log(sum);
                double[] lp = new double[v];
                for (int k = 0; k < v; k++) {
                    lp[k] = logits[r * v + k] - lse;
                }
                out.add(lp);
            }
        }
        return out.toArray(new double[0][]);
    }

    /**
     * Arditi et al.'s refusal score, log Σ_{t ∈ R} p(t) − log Σ_{t ∉ R} p(t), averaged over prompts: &gt; 0 when
     * the model is more likely to start a refusal than anything else.
     */
    static double meanRefusalScore(double[][] logProbs, java.util.Set<Integer> refusalTokens) {
        double total = 0;
        for (double[] lp : logProbs) {
            double in = 0;
            double out = 0;
            for (int k = 0; k < lp.length; k++) {
                if (refusalTokens.contains(k)) {
                    in += Math.exp(lp[k]);
                } else {
                    out += Math.exp(lp[k]);
                }
            }
            total += Math.log(Math.max(in, 1e-30)) - Math.log(Math.max(out, 1e-30));
        }
        return total / logProbs.length;
    }

    /** Mean KL(p ‖ q) over prompts. */
    static double meanKl(double[][] p, double[][] q) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double kl = 0;
            for (int k = 0; k < p[i].length; k++) {
                double pk = Math.exp(p[i][k]);
                kl += pk * (p[i][k] - q[i][k]);
            }
            total += kl;
        }
        return total / p.length;
    }
}
