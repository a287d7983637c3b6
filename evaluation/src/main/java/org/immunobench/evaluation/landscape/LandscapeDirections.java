package org.immunobench.evaluation.landscape;

import org.immunobench.lm.checkpoint.HostTensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Directions in weight space for loss / safety landscapes, and the points along them (docs/methods.md,
 * "Landscapes"). Everything works on host tensors (float32, HF names), so the maths runs without an engine.
 *
 * <p>Random directions are filter-normalised as in Li et al., <i>Visualizing the Loss Landscape of Neural Nets</i>
 * (arXiv 1712.09913, NeurIPS 2018): a Gaussian direction d is rescaled filter by filter so that each filter of d has
 * the norm of the same filter of the weights θ,
 * <pre>
 *   d_{i,j} ← d_{i,j} · ‖θ_{i,j}‖ / (‖d_{i,j}‖ + 1e-10)       (tensor i, filter j = slice j along the first axis)
 * </pre>
 * and is zero on one-dimensional tensors (norm weights, biases: their "ignore biasbn" setting). For a linear map
 * (out, in) a filter is one output unit's row; for an embedding table (V, D) one token's vector. This removes the
 * scale invariance that makes unnormalised random slices incomparable between models (Li et al. §4). The safety
 * landscape of Peng et al. (arXiv 2405.17374) perturbs along such normalised directions too.
 *
 * <p>Given directions are differences of checkpoints, d = θ_target − θ_origin, used as they are: coordinate 1 along
 * the axis is the target checkpoint itself, so a 1-D slice from the aligned to an attacked model is the linear
 * interpolation θ(α) = (1 − α) θ_aligned + α θ_attacked.
 */
public final class LandscapeDirections {
    static final double FILTER_EPS = 1e-10;

    private LandscapeDirections() {
    }

    /**
     * A filter-normalised Gaussian direction around {@code origin}, deterministic in {@code seed} (each tensor draws
     * from its own generator, seeded from the seed and the tensor's name, so the order of tensors does not matter).
     */
    public static Map<String, HostTensor> random(Map<String, HostTensor> origin, long seed) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : origin.entrySet()) {
            HostTensor w = e.getValue();
            float[] d = new float[w.data().length];
            if (w.shape().length >= 2 && d.length > 0) {
                Random rng = new Random(seed * 0x9E3779B97F4A7C15L ^ e.getKey().hashCode());
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) rng.nextGaussian();
                }
                int filters = Math.toIntExact(w.shape()[0]);
                int width = d.length / filters;
                for (int f = 0; f < filters; f++) {
                    double wn = norm(w.data(), f * width, width);
                    double dn = norm(d, f * width, width);
                    double scale = wn / (dn + FILTER_EPS);
                    for (int i = f * width; i < (f + 1) * width; i++) {
                        d[i] = (float) (d[i] * scale);
                    }
                }
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), w.shape(), d));
        }
        return out;
    }

    /** target − origin, tensor by tensor; both must hold the same tensors in the same shapes. */
    public static Map<String, HostTensor> difference(Map<String, HostTensor> target, Map<String, HostTensor> origin) {
        if (!target.keySet().equals(origin.keySet())) {
            throw new IllegalArgumentException("checkpoints hold different tensors: only in the target "
                    + minus(target, origin) + ", only in the origin " + minus(origin, target)
                    + " (a landscape axis needs a checkpoint of the origin's architecture)");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : origin.entrySet()) {
            HostTensor o = e.getValue();
            HostTensor t = target.get(e.getKey());
            if (!Arrays.equals(o.shape(), t.shape())) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + " in the target and " + Arrays.toString(o.shape()) + " in the origin");
            }
            float[] d = new float[o.data().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = t.data()[i] - o.data()[i];
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), o.shape(), d));
        }
        return out;
    }

    /**
     * θ = origin + Σ_k coords[k] · directions[k], computed per element in double and rounded once to float32; at
     * all-zero coordinates it is the origin bit for bit.
     */
    public static Map<String, HostTensor> point(Map<String, HostTensor> origin, List<Map<String, HostTensor>> directions,
            double[] coords) {
        if (directions.size() != coords.length) {
            throw new IllegalArgumentException(directions.size() + " directions but " + coords.length
                    + " coordinates");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : origin.entrySet()) {
            float[] o = e.getValue().data();
            float[] p = new float[o.length];
            float[][] ds = new float[directions.size()][];
            for (int k = 0; k < ds.length; k++) {
                HostTensor d = directions.get(k).get(e.getKey());
                if (d == null || d.data().length != o.length) {
                    throw new IllegalArgumentException("direction " + (k + 1) + " lacks tensor " + e.getKey()
                            + " or has another size");
                }
                ds[k] = d.data();
            }
            for (int i = 0; i < o.length; i++) {
                double v = o[i];
                for (int k = 0; k < ds.length; k++) {
                    v += coords[k] * ds[k][i];
                }
                p[i] = (float) v;
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), e.getValue().shape(), p));
        }
        return out;
    }

    /**
     * {@code points} evenly spaced values from lo to hi, both included, computed as lo + (hi − lo) · i / (n − 1);
     * a value within 1e-12 of 0 is snapped to 0 so that a grid over a symmetric range holds the origin exactly.
     */
    public static double[] grid(double lo, double hi, int points) {
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("range " + lo + ":" + hi + ": need finite lo < hi");
        }
        if (points < 2) {
            throw new IllegalArgumentException("points must be >= 2, got " + points);
        }
        double[] v = new double[points];
        for (int i = 0; i < points; i++) {
            v[i] = lo + (hi - lo) * i / (points - 1);
            if (Math.abs(v[i]) < 1e-12) {
                v[i] = 0;
            }
        }
        v[points - 1] = hi;
        return v;
    }

    /** ‖data[from .. from + length)‖₂. */
    static double norm(float[] data, int from, int length) {
        double s = 0;
        for (int i = from; i < from + length; i++) {
            s += (double) data[i] * data[i];
        }
        return Math.sqrt(s);
    }

    private static List<String> minus(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        return a.keySet().stream().filter(k -> !b.containsKey(k)).sorted().toList();
    }
}
