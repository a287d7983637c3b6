package org.immunobench.training.defences;

import java.util.Arrays;

/**
 * Thin SVD of a dense double matrix by one-sided Jacobi (Hestenes) rotations, for the defences that need singular
 * vectors of weight differences (LoX). DJL 0.36 exposes no SVD of libtorch, and the toy models' matrices are at most a
 * few hundred wide, so an exact O(m·n·min(m,n)) per sweep Java routine is fast enough (milliseconds per matrix) and
 * keeps the result independent of the engine and device.
 *
 * <p>Method: the columns of A (or of Aᵀ when A is wide, so the rotated side is always the smaller one) are
 * orthogonalised pairwise by plane rotations, accumulated into V, until every pair is orthogonal to a relative 1e-13.
 * Then A V = U Σ: the column norms are the singular values and the normalised columns the singular vectors. One-sided
 * Jacobi is accurate in the relative sense, also for the small singular values.
 */
final class JacobiSvd {
    /** Pairs whose normalised inner product is below this count as orthogonal. */
    private static final double ORTHOGONAL = 1e-13;
    private static final int MAX_SWEEPS = 80;

    /**
     * Result, singular triplets sorted by descending singular value; only the numerical rank r is kept (triplets
     * whose singular value is zero to working precision have no well-defined vectors and contribute nothing).
     *
     * @param u r left singular vectors, each of length m ({@code u[i]} is the i-th column of U)
     * @param s r singular values, descending, all > 0
     * @param v r right singular vectors, each of length n
     */
    record Result(double[][] u, double[] s, double[][] v) {
        int rank() {
            return s.length;
        }
    }

    private JacobiSvd() {
    }

    /** SVD of {@code a} (m rows × n columns, not modified). */
    static Result decompose(double[][] a) {
        int m = a.length;
        if (m == 0) {
            return new Result(new double[0][], new double[0], new double[0][]);
        }
        int n = a[0].length;
        for (double[] row : a) {
            if (row.length != n) {
                throw new IllegalArgumentException("ragged matrix: rows of length " + n + " and " + row.length);
            }
        }
        boolean wide = n > m;
        // Work on the columns of B = A (tall) or Aᵀ (wide): cols[j] is column j of B, rows = max(m, n).
        int rows = wide ? n : m;
        int cols = wide ? m : n;
        double[][] c = new double[cols][rows];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (wide) {
                    c[i][j] = a[i][j];
                } else {
                    c[j][i] = a[i][j];
                }
            }
        }
        double[][] w = new double[cols][cols]; // w[j] is column j of the accumulated rotation W (B W = U Σ)
        for (int j = 0; j < cols; j++) {
            w[j][j] = 1;
        }
        orthogonalise(c, w);
        double[] norms = new double[cols];
        double max = 0;
        for (int j = 0; j < cols; j++) {
            norms[j] = Math.sqrt(dot(c[j], c[j]));
            max = Math.max(max, norms[j]);
        }
        Integer[] order = new Integer[cols];
        for (int j = 0; j < cols; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (x, y) -> Double.compare(norms[y], norms[x]));
        double tol = max * Math.max(rows, cols) * 1e-14;
        int rank = 0;
        while (rank < cols && norms[order[rank]] > tol) {
            rank++;
        }
        double[][] left = new double[rank][];
        double[][] right = new double[rank][];
        double[] s = new double[rank];
        for (int r = 0; r < rank; r++) {
            int j = order[r];
            s[r] = norms[j];
            double[] col = new double[rows];
            for (int i = 0; i < rows; i++) {
                col[i] = c[j][i] / norms[j];
            }
            // B = U Σ Wᵀ. Tall: A = B, so U_A = normalised columns, V_A = W. Wide: A = Bᵀ = W Σ Uᵀ, roles swap.
            if (wide) {
                left[r] = w[j].clone();
                right[r] = col;
            } else {
                left[r] = col;
                right[r] = w[j].clone();
            }
        }
        return new Result(left, s, right);
    }

    /** Rotates pairs of columns of {@code c} (and the same pairs of {@code w}) until all are mutually orthogonal. */
    private static void orthogonalise(double[][] c, double[][] w) {
        int cols = c.length;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < cols - 1; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = dot(c[p], c[p]);
                    double beta = dot(c[q], c[q]);
                    double gamma = dot(c[p], c[q]);
                    if (alpha == 0 || beta == 0 || Math.abs(gamma) <= ORTHOGONAL * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    // The rotation that zeroes the (p, q) inner product: t is the smaller root of t² + 2ζt − 1 = 0.
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double cos = 1 / Math.sqrt(1 + t * t);
                    double sin = cos * t;
                    rotate(c[p], c[q], cos, sin);
                    rotate(w[p], w[q], cos, sin);
                }
            }
            if (!rotated) {
                return;
            }
        }
    }

    private static void rotate(double[] x, double[] y, double cos, double sin) {
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double yi = y[i];
            x[i] = cos * xi - sin * yi;
            y[i] = sin * xi + cos * yi;
        }
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
