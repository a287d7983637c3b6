package org.immunobench.training.trainer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    private static final double TOL = 1e-12;

    @Test
    void warmupRisesLinearlyFromZeroThenHoldsForConstant() {
        LrSchedule s = new LrSchedule(1.0, LrSchedule.Decay.CONSTANT, 4, 10, 0);
        double[] expected = {0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1};
        for (int step = 1; step <= 10; step++) {
            assertEquals(expected[step - 1], s.lr(step), TOL, "step " + step);
        }
    }

    @Test
    void constantWithoutWarmupIsThePeakEverywhere() {
        LrSchedule s = new LrSchedule(3e-4, LrSchedule.Decay.CONSTANT, 0, 5, 0);
        for (int step = 1; step <= 5; step++) {
            assertEquals(3e-4, s.lr(step), TOL);
        }
    }

    @Test
    void cosineFallsFromPeakTowardsZeroAfterWarmup() {
        // HF get_cosine_schedule_with_warmup(W=2, S=10): k=2 → 1, k=6 → 0.5, k=9 → ½(1+cos(7π/8)).
        LrSchedule s = new LrSchedule(2.0, LrSchedule.Decay.COSINE, 2, 10, 0);
        assertEquals(0.0, s.lr(1), TOL);
        assertEquals(1.0, s.lr(2), TOL);
        assertEquals(2.0, s.lr(3), TOL);
        assertEquals(1.0, s.lr(7), TOL);
        assertEquals(2.0 * 0.5 * (1 + Math.cos(Math.PI * 7 / 8)), s.lr(10), TOL);
        for (int step = 3; step < 10; step++) {
            assertEquals(true, s.lr(step + 1) < s.lr(step), "cosine decreases at step " + step);
        }
    }

    @Test
    void cosineFloorIsTheMinRatio() {
        LrSchedule s = new LrSchedule(1.0, LrSchedule.Decay.COSINE, 0, 5, 0.1);
        assertEquals(1.0, s.lr(1), TOL);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 2 / 5)), s.lr(3), TOL);
    }

    @Test
    void linearDecaysToZeroAtTheEnd() {
        // HF get_linear_schedule_with_warmup(W=0, S=4): (S − k) / S = 1, .75, .5, .25.
        LrSchedule s = new LrSchedule(1.0, LrSchedule.Decay.LINEAR, 0, 4, 0);
        double[] expected = {1, 0.75, 0.5, 0.25};
        for (int step = 1; step <= 4; step++) {
            assertEquals(expected[step - 1], s.lr(step), TOL, "step " + step);
        }
    }

    @Test
    void warmupCoveringAllStepsNeverDecays() {
        LrSchedule s = new LrSchedule(1.0, LrSchedule.Decay.COSINE, 4, 4, 0);
        assertEquals(0.75, s.lr(4), TOL);
    }

    @Test
    void stepsOutsideTheRunAreRefused() {
        LrSchedule s = new LrSchedule(1.0, LrSchedule.Decay.LINEAR, 0, 4, 0);
        assertThrows(IllegalArgumentException.class, () -> s.lr(0));
        assertThrows(IllegalArgumentException.class, () -> s.lr(5));
    }

    @Test
    void decayNamesParse() {
        assertEquals(LrSchedule.Decay.COSINE, LrSchedule.Decay.parse(" Cosine "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LrSchedule.Decay.parse("linear_warmup"));
        assertEquals(true, e.getMessage().contains("schedule"));
    }
}
