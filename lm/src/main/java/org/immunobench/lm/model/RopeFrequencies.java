package org.immunobench.lm.model;

/**
 * RoPE inverse frequencies, including the {@code linear} and {@code llama3} {@code rope_scaling} rules, computed in
 * double so tables agree with HF's float32 ones to float precision.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {
    }

    /** inv_freq[k] = θ^(−2k/hd) for k < hd/2, after rope_scaling. */
    public static double[] inverseFrequencies(ModelConfig c) {
        int half = c.headDim() / 2;
        double[] inv = new double[half];
        for (int k = 0; k < half; k++) {
            inv[k] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * k) / c.headDim());
        }
        ModelConfig.RopeScaling s = c.ropeScaling();
        if (s == null) {
            return inv;
        }
        if ("linear".equals(s.type())) {
            for (int k = 0; k < half; k++) {
                inv[k] /= s.factor();
            }
            return inv;
        }
        // llama3: long wavelengths (low frequencies) are stretched by factor, short ones kept, the band between
        // is interpolated so the frequency curve stays continuous.
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int k = 0; k < half; k++) {
            double wavelen = 2 * Math.PI / inv[k];
            if (wavelen > lowFreqWavelen) {
                inv[k] = inv[k] / s.factor();
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                inv[k] = (1 - smooth) * inv[k] / s.factor() + smooth * inv[k];
            }
        }
        return inv;
    }

    /**
     * cos and sin tables [positions, hd], each half duplicated (HF's rotate_half layout): entry (p, j) uses
     * frequency j mod hd/2.
     */
    public static float[][] tables(ModelConfig c, int positions) {
        double[] inv = inverseFrequencies(c);
        int hd = c.headDim();
        int half = hd / 2;
        float[] cos = new float[positions * hd];
        float[] sin = new float[positions * hd];
        for (int p = 0; p < positions; p++) {
            for (int k = 0; k < half; k++) {
                double angle = p * inv[k];
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                cos[p * hd + k] = cv;
                cos[p * hd + k + half] = cv;
                sin[p * hd + k] = sv;
                sin[p * hd + k + half] = sv;
            }
        }
        return new float[][] {cos, sin};
    }
}
