package org.immunobench.evaluation.metrics;

/**
 * Per-layer cosine probe, as circuit breakers (Zou et al., arXiv 2406.04313) log it while training: the mean over
 * probe tokens of the cosine between a layer's output under the model measured and under the reference (the
 * original, pre-defence model). With h_l(n) the residual stream after layer l at token n (N tokens):
 * <pre>
 *   cos_l = (1/N) Σ_n  h_l(n) · h_l^ref(n) / ( max(‖h_l(n)‖, ε) · max(‖h_l^ref(n)‖, ε) ),   ε = 1e-8
 * </pre>
 * (ε as in PyTorch's {@code cosine_similarity}: a zero vector has cosine 0 with anything). Near 1: the layer
 * computes what the parent computes; ≤ 0: the representation was rerouted, which is what circuit breakers train for
 * at their target layers on harmful text. Along an attack, a rerouted layer whose cosine climbs back towards 1 shows
 * the attack restoring the parent's representation.
 */
public final class LayerCosine {
    static final double EPS = 1e-8;

    private LayerCosine() {
    }

    /** cos_l for l = 0 … L − 1 (the output of each layer; the embeddings are not reported). */
    public static double[] perLayer(ResidualStates now, ResidualStates reference) {
        now.requireSameShape(reference);
        int d = now.dim();
        double[] out = new double[now.layers()];
        for (int layer = 0; layer < now.layers(); layer++) {
            float[] a = now.afterLayer(layer);
            float[] b = reference.afterLayer(layer);
            double sum = 0;
            for (int n = 0; n < now.tokens(); n++) {
                double dot = 0;
                double na = 0;
                double nb = 0;
                for (int i = n * d; i < (n + 1) * d; i++) {
                    dot += (double) a[i] * b[i];
                    na += (double) a[i] * a[i];
                    nb += (double) b[i] * b[i];
                }
                sum += dot / (Math.max(Math.sqrt(na), EPS) * Math.max(Math.sqrt(nb), EPS));
            }
            out[layer] = sum / now.tokens();
        }
        return out;
    }
}
