package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.testing.WeightChecks;
import org.immunobench.training.trainer.Autograd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** R_well, R_ill and the eigen solver on small matrices against closed forms; the defence on a tiny model. */
class ConditionNumberTest {
    static final String PATH = "defences[0].config";

    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    @Test
    void jacobiEigenSolverFindsKnownSpectra() {
        ConditionNumber.Eigen e = ConditionNumber.symmetricEigen(new double[][] {{2, 1}, {1, 2}});
        assertEquals(3, e.values()[0], 1e-12);
        assertEquals(1, e.values()[1], 1e-12);
        assertEquals(1 / Math.sqrt(2), Math.abs(e.vectors()[0][0]), 1e-12);
        assertEquals(e.vectors()[0][0], e.vectors()[0][1], 1e-12, "top eigenvector ∝ (1, 1)");
        assertEquals(-e.vectors()[1][0], e.vectors()[1][1], 1e-12, "bottom eigenvector ∝ (1, −1)");
        // A random symmetric 6 × 6: A v = λ v for every pair, vectors orthonormal, trace preserved.
        java.util.Random random = new java.util.Random(3);
        double[][] a = new double[6][6];
        double trace = 0;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = a[j][i] = random.nextGaussian();
            }
            trace += a[i][i];
        }
        ConditionNumber.Eigen r = ConditionNumber.symmetricEigen(a);
        double sum = 0;
        for (int k = 0; k < 6; k++) {
            sum += r.values()[k];
            if (k > 0) {
                assertTrue(r.values()[k] <= r.values()[k - 1], "descending");
            }
            for (int i = 0; i < 6; i++) {
                double av = 0;
                for (int j = 0; j < 6; j++) {
                    av += a[i][j] * r.vectors()[k][j];
                }
                assertEquals(r.values()[k] * r.vectors()[k][i], av, 1e-10);
            }
            assertEquals(1.0, JacobiSvd.dot(r.vectors()[k], r.vectors()[k]), 1e-12);
        }
        assertEquals(trace, sum, 1e-10);
    }

    /**
     * S = diag(3, 1), K = 2: ‖S‖_F² = 10, so R_well = 9/2 − 10/4 = 2 and R_ill = 1 / (10/4 − 1/2) = 1/2. The same
     * for the rotated [[2, 1], [1, 2]] (same spectrum); a multiple of the identity is perfectly conditioned,
     * R_well = 0.
     */
    @Test
    void regularisersMatchTheirClosedFormsOnSmallMatrices() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray diag = m.create(new float[] {3, 0, 0, 1}, new Shape(2, 2));
            NDArray rotated = m.create(new float[] {2, 1, 1, 2}, new Shape(2, 2));
            for (NDArray s : List.of(diag, rotated)) {
                assertEquals(2.0, ConditionNumber.rWell(s).getFloat(), 1e-6);
                assertEquals(0.5, ConditionNumber.rIll(s).getFloat(), 1e-6);
            }
            NDArray identity = m.create(new float[] {5, 0, 0, 0, 5, 0, 0, 0, 5}, new Shape(3, 3));
            assertEquals(0.0, ConditionNumber.rWell(identity).getFloat(), 1e-5);
            // 3 × 3, eigenvalues 4, 2, 1: ‖S‖² = 21, K = 3 → R_well = 8 − 3.5 = 4.5, R_ill = 1 / (3.5 − 0.5) = 1/3
            NDArray three = m.create(new float[] {4, 0, 0, 0, 2, 0, 0, 0, 1}, new Shape(3, 3));
            assertEquals(4.5, ConditionNumber.rWell(three).getFloat(), 1e-5);
            assertEquals(1.0 / 3, ConditionNumber.rIll(three).getFloat(), 1e-6);
        }
    }

    /**
     * Gradients through S = ΦᵀΦ / N against the closed forms ∂R/∂Φ = (2/N) Φ G with G = ∂R/∂S:
     * G_well = λ_max u uᵀ − S/K and G_ill = −R_ill² (S/K − λ_min v vᵀ).
     */
    @Test
    void gradientsThroughTheCovarianceMatchTheClosedForm() {
        float[] phi = {1.0f, 0.2f, -0.3f, 0.5f, 0.8f, -1.1f, 0.4f, 0.9f, 0.1f, -0.6f, 0.7f, 0.3f}; // N 4, K 3
        int n = 4;
        int k = 3;
        double[][] s = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                for (int r = 0; r < n; r++) {
                    s[i][j] += (double) phi[r * k + i] * phi[r * k + j] / n;
                }
            }
        }
        ConditionNumber.Eigen e = ConditionNumber.symmetricEigen(s);
        double frob = 0;
        for (double[] row : s) {
            for (double x : row) {
                frob += x * x;
            }
        }
        double lmax = e.values()[0];
        double lmin = e.values()[k - 1];
        double rIll = 1 / (frob / (2 * k) - lmin * lmin / 2);
        double[][] gWell = new double[k][k];
        double[][] gIll = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                gWell[i][j] = lmax * e.vectors()[0][i] * e.vectors()[0][j] - s[i][j] / k;
                gIll[i][j] = -rIll * rIll * (s[i][j] / k - lmin * e.vectors()[k - 1][i] * e.vectors()[k - 1][j]);
            }
        }
        check(phi, n, k, gWell, t -> ConditionNumber.rWell(ConditionNumber.covariance(t)), "R_well");
        check(phi, n, k, gIll, t -> ConditionNumber.rIll(ConditionNumber.covariance(t)), "R_ill");
    }

    private static void check(float[] phi, int n, int k, double[][] g, Function<NDArray, NDArray> r, String what) {
        boolean previous = JniUtils.isGradMode();
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            NDArray leaf = m.create(phi, new Shape(n, k));
            leaf.setRequiresGradient(true);
            try (Autograd.Recording rec = Autograd.record()) {
                rec.backward(r.apply(leaf));
            }
            float[] actual = leaf.getGradient().toFloatArray();
            double max = 0;
            for (int row = 0; row < n; row++) {
                for (int col = 0; col < k; col++) {
                    double expected = 0;
                    for (int j = 0; j < k; j++) {
                        expected += 2.0 / n * phi[row * k + j] * g[j][col];
                    }
                    max = Math.max(max, Math.abs(expected - actual[row * k + col]));
                    assertEquals(expected, actual[row * k + col], 1e-5 + 1e-4 * Math.abs(expected),
                            what + " gradient at (" + row + ", " + col + ")");
                }
            }
            System.out.printf("%s gradient vs closed form: max |diff| %.2e%n", what, max);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Against the same run without regularisers (the task loss alone moves the spectra of a random tiny model too):
     * R_well lowers R_well and κ of the benign covariance, R_ill lowers R_ill and raises κ of the harmful one.
     */
    @Test
    void runsThroughTheRegistryAndEachRegulariserMovesItsConditionNumber() {
        DefenceResult base = run(Map.of("steps", 8, "batch", 6, "lr", 1e-2, "lambda_well", 0.0, "lambda_ill", 0.0));
        DefenceResult well = run(Map.of("steps", 8, "batch", 6, "lr", 1e-2, "lambda_well", 1.0, "lambda_ill", 0.0));
        DefenceResult ill = run(Map.of("steps", 8, "batch", 6, "lr", 1e-2, "lambda_well", 0.0, "lambda_ill", 1.0));
        for (DefenceResult r : List.of(base, well, ill)) {
            assertEquals("completed", r.status());
            RepresentationFixtures.assertFiniteMetrics(r, List.of("final_loss", "retain_ce_tail", "r_well_tail",
                    "r_ill_tail", "r_well_first", "r_ill_first", "kappa_benign_before", "kappa_benign_after",
                    "kappa_harmful_before", "kappa_harmful_after", "rir"));
        }
        System.out.printf("condition_number tiny model: R_well tail %.3f without, %.3f with R_well; kappa benign %.0f"
                + " vs %.0f; R_ill tail %.3f without, %.3f with R_ill; kappa harmful %.0f vs %.0f%n",
                base.metrics().get("r_well_tail"), well.metrics().get("r_well_tail"),
                base.metrics().get("kappa_benign_after"), well.metrics().get("kappa_benign_after"),
                base.metrics().get("r_ill_tail"), ill.metrics().get("r_ill_tail"),
                base.metrics().get("kappa_harmful_after"), ill.metrics().get("kappa_harmful_after"));
        assertTrue(well.metrics().get("r_well_tail") < base.metrics().get("r_well_tail"));
        assertTrue(well.metrics().get("kappa_benign_after") < base.metrics().get("kappa_benign_after"));
        assertTrue(ill.metrics().get("r_ill_tail") < base.metrics().get("r_ill_tail"));
        assertTrue(ill.metrics().get("kappa_harmful_after") > base.metrics().get("kappa_harmful_after"));
        Map<String, float[]> first;
        Map<String, Object> small = Map.of("steps", 4, "batch", 6, "lr", 1e-2);
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Defences.create("condition_number", small, 7, PATH).apply(w, RepresentationFixtures.data());
            first = WeightChecks.snapshot(w);
        }
        try (LlamaWeights again = RepresentationFixtures.tiny(5)) {
            Defences.create("condition_number", small, 7, PATH).apply(again, RepresentationFixtures.data());
            WeightChecks.assertBitIdentical(first, WeightChecks.snapshot(again));
        }
        assertEquals("defences[0].config: lambda_ill must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class,
                        () -> Defences.create("condition_number", Map.of("lambda_ill", -1.0), 1, PATH))
                        .getMessage());
        assertEquals(Map.of("steps", 100, "lr", 1e-4, "batch", 8, "lambda_well", 1e-3, "lambda_ill", 1.0,
                "retain_refusals", true), Defences.resolvedConfig("condition_number", null, PATH));
    }

    private static DefenceResult run(Map<String, Object> config) {
        try (LlamaWeights w = RepresentationFixtures.tiny(5)) {
            Map<String, float[]> before = WeightChecks.snapshot(w);
            DefenceResult r = Defences.create("condition_number", config, 7, PATH).apply(w,
                    RepresentationFixtures.data());
            assertTrue(WeightChecks.maxAbsDiff(before, WeightChecks.snapshot(w)) > 0, "weights moved");
            return r;
        }
    }
}
