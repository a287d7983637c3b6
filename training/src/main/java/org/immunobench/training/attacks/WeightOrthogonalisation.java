package org.immunobench.training.attacks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;

/**
 * Weight orthogonalisation, "abliteration" (Arditi et al. 2406.11717 §4.1): every matrix that writes into the residual
 * stream loses its component along r̂, W ← W − r̂ r̂ᵀ W (output side), and so do embeddings (each row) and o_proj
 * biases. The model then never writes r̂ into the stream, which is exactly directional ablation at every layer and
 * position — but as a standalone checkpoint that needs no inference-time hook.
 */
public final class WeightOrthogonalisation {
    private WeightOrthogonalisation() {
    }

    /** Orthogonalises {@code w} in place against {@code direction} (any norm). */
    public static void apply(LlamaWeights w, float[] direction) {
        w.requireFloat32("weight orthogonalisation (it edits the weights)");
        float[] unit = unit(direction);
        int layers = w.config().numLayers();
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            NDArray r = scope.create(unit); // (D)
            // Embedding rows are stream vectors: E ← E − (E r̂) r̂ᵀ.
            NDArray e = w.get(LlamaNames.EMBED_TOKENS);
            NDArray ev = e.get(scope, new NDIndex("..."));
            NDArray eProj = ev.matMul(r.expandDims(1)).matMul(r.expandDims(0));
            e.subi(eProj);
            for (int l = 0; l < layers; l++) {
                for (String proj : new String[] {"o_proj", "down_proj"}) {
                    NDArray m = w.get(LlamaNames.projectionWeight(l, proj)); // (D, in)
                    NDArray mv = m.get(scope, new NDIndex("..."));
                    // r̂ (r̂ᵀ W): outer product of r̂ with the row vector r̂ᵀ W.
                    NDArray rowCombo = r.expandDims(0).matMul(mv); // (1, in)
                    m.subi(r.expandDims(1).matMul(rowCombo));
                }
                NDArray bias = w.getOptional(LlamaNames.projectionBias(l, "o_proj"));
                if (bias != null) {
                    NDArray bv = bias.get(scope, new NDIndex("..."));
                    bias.subi(r.mul(bv.dot(r)));
                }
            }
        }
    }

    static float[] unit(float[] direction) {
        double norm = 0;
        for (float x : direction) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("refusal direction has zero norm");
        }
        float[] u = new float[direction.length];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (direction[i] / norm);
        }
        return u;
    }
}
