package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared representation losses and position masks on plain arrays whose answers are known by hand. */
class RepresentationLossesTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** n draws of N(shift, I) in D dimensions. */
    static NDArray gaussian(NDManager m, int n, int d, double shift, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() + shift);
        }
        return m.create(v, new Shape(n, d));
    }

    static NDArray rows(NDManager m, float[][] rows) {
        return m.create(rows);
    }

    @Test
    void mmdIsZeroForOneSampleNearZeroForOneDistributionAndGrowsWithAMeanShift() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = gaussian(m, 200, 4, 0, 1);
            assertEquals(0.0, RepresentationLosses.mmd(x, x).getFloat(), 1e-5, "a sample against itself");
            double same = RepresentationLosses.mmd(x, gaussian(m, 200, 4, 0, 2)).getFloat();
            double[] shifted = new double[3];
            double[] shifts = {0.5, 1.0, 2.0};
            for (int i = 0; i < shifts.length; i++) {
                shifted[i] = RepresentationLosses.mmd(x, gaussian(m, 200, 4, shifts[i], 2)).getFloat();
            }
            System.out.printf("MMD same distribution %.4f, mean shifts 0.5/1/2: %.4f %.4f %.4f%n", same, shifted[0],
                    shifted[1], shifted[2]);
            // The biased estimate of two independent samples of one distribution is O(1/n) above 0.
            assertTrue(same >= -1e-6 && same < 0.05, "same distribution: " + same);
            assertTrue(same < shifted[0] && shifted[0] < shifted[1] && shifted[1] < shifted[2],
                    "monotone in the shift: " + same + " " + java.util.Arrays.toString(shifted));
            assertTrue(shifted[2] <= 2 * RepresentationLosses.KERNELS, "bounded by 2 · kernels: " + shifted[2]);
        }
    }

    @Test
    void reroutingLossIsZeroForOrthogonalOneForIdenticalAndZeroForOppositeRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = rows(m, new float[][] {{1, 0, 0}, {0, 2, 0}});
            NDArray orthogonal = rows(m, new float[][] {{0, 3, 0}, {0, 0, -1}});
            NDArray opposite = a.neg();
            assertEquals(0.0, RepresentationLosses.reroutingLoss(List.of(a), List.of(orthogonal)).getFloat(), 1e-7);
            assertEquals(1.0, RepresentationLosses.reroutingLoss(List.of(a), List.of(a)).getFloat(), 1e-6);
            assertEquals(1.0, RepresentationLosses.reroutingLoss(List.of(a), List.of(a.mul(5))).getFloat(), 1e-6,
                    "scale does not matter");
            assertEquals(0.0, RepresentationLosses.reroutingLoss(List.of(a), List.of(opposite)).getFloat(), 1e-7,
                    "ReLU: pointing away counts as rerouted");
            // Mean over layers and rows: layer 1 identical (1, 1), layer 2 at 60° (0.5) and opposite (0) → 2.5 / 4.
            NDArray sixty = rows(m, new float[][] {{1, (float) Math.sqrt(3), 0}, {0, -1, 0}});
            assertEquals(0.625, RepresentationLosses.reroutingLoss(List.of(a, a), List.of(a, sixty)).getFloat(),
                    1e-6);
        }
    }

    @Test
    void retainDistanceIsTheMeanEuclideanDistanceOfRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = rows(m, new float[][] {{3, 4}, {1, 1}});
            NDArray b = rows(m, new float[][] {{0, 0}, {1, 1}});
            assertEquals(2.5, RepresentationLosses.retainDistance(List.of(a), List.of(b)).getFloat(), 1e-5);
            assertEquals(0.0, RepresentationLosses.retainDistance(List.of(a), List.of(a)).getFloat(), 1e-5);
        }
    }

    @Test
    void gradientsAreFiniteWhereTheRepresentationsHaveNotMovedYet() {
        // Circuit breakers start with the adapted model equal to the original: distance 0 and cosine 1 exactly.
        try (NDManager m = NDManager.newBaseManager(); Autograd.Recording r = Autograd.record()) {
            NDArray h = gaussian(m, 6, 4, 0, 3);
            h.setRequiresGradient(true);
            NDArray frozen = h.duplicate().stopGradient();
            NDArray loss = RepresentationLosses.retainDistance(List.of(h), List.of(frozen))
                    .add(RepresentationLosses.reroutingLoss(List.of(h), List.of(frozen)))
                    .add(RepresentationLosses.mmd(h, gaussian(m, 6, 4, 0, 4)));
            r.backward(loss);
            for (float g : h.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(g), "gradient " + g);
            }
        }
    }

    @Test
    void positionsOfTheResponseAndOfEveryToken() {
        // Row 0: inputs 5 6 7 8 (response 8 9 from index 3); row 1: inputs 5 6 7 pad (response 7 8 from index 2).
        PaddedBatch batch = PaddedBatch.of(List.of(TrainingExample.lossFrom(new int[] {5, 6, 7, 8, 9}, 3),
                TrainingExample.lossFrom(new int[] {5, 6, 7, 8}, 2)));
        assertEquals(4, batch.length());
        assertArrayEquals(new long[] {2, 3, 5, 6},
                MaskedActivations.positions(batch, MaskedActivations.Positions.PREDICTING_RESPONSE));
        assertArrayEquals(new long[] {3, 6},
                MaskedActivations.positions(batch, MaskedActivations.Positions.HOLDING_RESPONSE));
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6},
                MaskedActivations.positions(batch, MaskedActivations.Positions.ALL_TOKENS));
    }
}
