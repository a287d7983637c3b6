package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Differentiable distances between sets of representations, rows of (N, D) arrays: the kernel MMD of RepNoise
 * (2405.14577) and the cosine and L2 terms of circuit breakers (2406.04313). Results are scalars (or (N) rows) in the
 * first operand's scope.
 *
 * <p>Every constant is a tensor made in that scope, never a Java number: on the autograd path DJL frees a Number
 * operand's buffer right after the op although backward still reads it (docs/engine-notes.md).
 */
final class RepresentationLosses {
    /** Gaussian kernels in the mixture, and the factor between their bandwidths (the RepNoise code's values). */
    static final int KERNELS = 5;
    static final double KERNEL_FACTOR = 2.0;
    /**
     * Added under every square root: the retain distance starts at exactly 0 (adapters start at B = 0), where the
     * derivative of a plain norm is 0/0. Its effect on a value is at most 1e-6.
     */
    static final double NORM_EPS = 1e-12;

    private RepresentationLosses() {
    }

    /** A 0-d float32 tensor in {@code scope}. */
    static NDArray constant(NDManager scope, double value) {
        return scope.full(new Shape(), (float) value, DataType.FLOAT32);
    }

    /**
     * Squared maximum mean discrepancy between the samples x (n, D) and y (m, D) under a mixture of Gaussian kernels,
     * the biased (V-statistic) estimate
     * <pre>
     *   MMD² = mean k(x, x') + mean k(y, y') − 2 mean k(x, y),   k(a, b) = Σ_{i<5} exp(−‖a − b‖² / (s · 2^i))
     * </pre>
     * with the base bandwidth s = (mean squared distance over distinct pairs of the pooled sample) / 2^⌊5/2⌋, i.e.
     * bandwidths from a quarter to four times the typical squared distance. s is data-driven but held constant for
     * the gradient, as in the RepNoise code. 0 when x and y are the same sample; at most 2 · 5.
     */
    static NDArray mmd(NDArray x, NDArray y) {
        NDManager scope = x.getManager();
        long n = x.getShape().get(0);
        long m = y.getShape().get(0);
        long total = n + m;
        NDArray z = x.concat(y, 0); // (n + m, D)
        NDArray squares = z.square().sum(new int[] {1}, true); // (n + m, 1)
        NDArray distances = squares.add(squares.transpose())
                .sub(z.matMul(z.transpose()).mul(constant(scope, 2)));
        distances = NDArrays.maximum(distances, constant(scope, 0)); // rounding can dip below 0 on the diagonal
        NDArray meanDistance = distances.stopGradient().sum().div(constant(scope, (double) total * (total - 1)));
        NDArray bandwidth = NDArrays.maximum(
                meanDistance.div(constant(scope, Math.pow(KERNEL_FACTOR, KERNELS / 2))), constant(scope, 1e-12));
        NDArray kernel = null;
        for (int i = 0; i < KERNELS; i++) {
            NDArray width = bandwidth.mul(constant(scope, Math.pow(KERNEL_FACTOR, i)));
            NDArray k = distances.div(width).neg().exp();
            kernel = kernel == null ? k : kernel.add(k);
        }
        NDArray xx = kernel.get(new NDIndex(":" + n + ", :" + n)).mean();
        NDArray yy = kernel.get(new NDIndex(n + ":, " + n + ":")).mean();
        NDArray xy = kernel.get(new NDIndex(":" + n + ", " + n + ":")).mean();
        return xx.add(yy).sub(xy.mul(constant(scope, 2)));
    }

    /** √(Σ_d a_d² + ε) per row: (N, D) → (N). */
    static NDArray rowNorms(NDArray a) {
        return a.square().sum(new int[] {-1}).add(constant(a.getManager(), NORM_EPS)).sqrt();
    }

    /**
     * cos(a_i, b_i) per row: (N, D), (N, D) → (N), computed as 1 − ½‖â − b̂‖² with x̂ = x / ‖x‖. The same number as
     * a·b / (‖a‖ ‖b‖), but accurate near 1: there the plain quotient's gradient is the difference of two nearly equal
     * terms and drowns in float32 rounding, while â − b̂ is the small quantity itself. That is exactly where circuit
     * breakers start (adapted = original representations).
     */
    static NDArray rowCosines(NDArray a, NDArray b) {
        NDArray unitA = a.div(rowNorms(a).expandDims(-1));
        NDArray unitB = b.div(rowNorms(b).expandDims(-1));
        NDManager scope = a.getManager();
        return constant(scope, 1).sub(unitA.sub(unitB).square().sum(new int[] {-1}).mul(constant(scope, 0.5)));
    }

    /**
     * Circuit breakers' rerouting term: mean over layers and rows of ReLU(cos(current, original)). 1 when every row
     * is unchanged, 0 once every row is orthogonal to (or points away from) where it was.
     */
    static NDArray reroutingLoss(List<NDArray> current, List<NDArray> original) {
        checkPaired(current, original);
        NDManager scope = current.get(0).getManager();
        List<NDArray> rows = new ArrayList<>(current.size());
        for (int l = 0; l < current.size(); l++) {
            rows.add(NDArrays.maximum(rowCosines(current.get(l), original.get(l)), constant(scope, 0)));
        }
        return NDArrays.concat(new NDList(rows)).mean();
    }

    /** Circuit breakers' retain term: mean over layers and rows of ‖current − original‖₂. */
    static NDArray retainDistance(List<NDArray> current, List<NDArray> original) {
        checkPaired(current, original);
        List<NDArray> rows = new ArrayList<>(current.size());
        for (int l = 0; l < current.size(); l++) {
            rows.add(rowNorms(current.get(l).sub(original.get(l))));
        }
        return NDArrays.concat(new NDList(rows)).mean();
    }

    /** Mean cos(current, original) over rows, per layer (the cosine probes of circuit breakers, no ReLU). */
    static double[] meanCosines(List<NDArray> current, List<NDArray> original) {
        checkPaired(current, original);
        double[] out = new double[current.size()];
        for (int l = 0; l < out.length; l++) {
            out[l] = rowCosines(current.get(l), original.get(l)).mean().getFloat();
        }
        return out;
    }

    private static void checkPaired(List<NDArray> a, List<NDArray> b) {
        if (a.isEmpty() || a.size() != b.size()) {
            throw new IllegalArgumentException("need the same non-zero number of layers on both sides, got "
                    + a.size() + " and " + b.size());
        }
    }
}
