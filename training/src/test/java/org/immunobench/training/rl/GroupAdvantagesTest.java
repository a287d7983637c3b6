package org.immunobench.training.rl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GroupAdvantagesTest {
    /**
     * Three prompts × 4 rollouts, interleaved group ids. Group 0 rewards {1, 0, 0, 0}: mean 1/4, sample std
     * sqrt((9/16 + 3/16) / 3) = 1/2, so A = 3/2 and −1/2. Group 1 {1, 1, 0, 0}: mean 1/2, std sqrt(1/3), A = ±√3/2.
     * Group 2 all 1: no variance, A = 0.
     */
    @Test
    void grpoNormalisesWithinEachGroupOnAHandTable() {
        int[] group = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
        double[] r = {1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1};
        double d = GroupAdvantages.STD_EPSILON;
        double h = Math.sqrt(3) / 2;
        double s = Math.sqrt(1.0 / 3);
        double[] expected = {0.75 / (0.5 + d), 0.5 / (s + d), 0, -0.25 / (0.5 + d), 0.5 / (s + d), 0,
                -0.25 / (0.5 + d), -0.5 / (s + d), 0, -0.25 / (0.5 + d), -0.5 / (s + d), 0};
        assertArrayEquals(expected, GroupAdvantages.grpo(r, group), 1e-12);
        assertArrayEquals(new double[] {1.5, h, 0, -0.5, h, 0, -0.5, -h, 0, -0.5, -h, 0},
                GroupAdvantages.grpo(r, group), 1e-5);
    }

    @Test
    void leaveOneOutBaselineIsTheMeanOfTheOthers() {
        int[] group = {0, 0, 0, 0, 1, 1};
        double[] r = {1, 0, 0, 0, 0.5, 2.5};
        assertArrayEquals(new double[] {1, -1.0 / 3, -1.0 / 3, -1.0 / 3, -2, 2},
                GroupAdvantages.leaveOneOut(r, group), 1e-12);
    }

    @Test
    void aLoneRolloutGetsNoGrpoAdvantageAndBadInputFails() {
        assertArrayEquals(new double[] {0}, GroupAdvantages.grpo(new double[] {1}, new int[] {0}), 0);
        assertArrayEquals(new double[] {1}, GroupAdvantages.leaveOneOut(new double[] {1}, new int[] {0}), 0);
        assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.grpo(new double[] {1, 2}, new int[] {0}));
        assertThrows(IllegalArgumentException.class,
                () -> GroupAdvantages.grpo(new double[] {Double.NaN, 1}, new int[] {0, 0}));
    }
}
