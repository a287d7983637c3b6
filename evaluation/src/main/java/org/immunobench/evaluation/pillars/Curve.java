package org.immunobench.evaluation.pillars;

import java.util.Arrays;

/**
 * One metric of one run (task) as judged by one judge: the value per step, steps strictly increasing.
 *
 * @param taskId the run
 * @param metric what was measured
 * @param judge who judged it
 * @param steps optimiser steps of the measurements, strictly increasing, ≥ 0
 * @param values the measurement at each step
 * @param ns prompts / tokens behind each measurement
 * @param higherIsBetter the rows' direction (they agree within a curve)
 */
record Curve(String taskId, String metric, String judge, int[] steps, double[] values, long[] ns,
        boolean higherIsBetter) {

    int size() {
        return steps.length;
    }

    int firstStep() {
        return steps[0];
    }

    int lastStep() {
        return steps[steps.length - 1];
    }

    double lastValue() {
        return values[values.length - 1];
    }

    long lastN() {
        return ns[ns.length - 1];
    }

    long minN() {
        return Arrays.stream(ns).min().orElseThrow();
    }

    double max() {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** Index of {@code step}, or a negative number when the run did not measure it. */
    int indexOf(int step) {
        return Arrays.binarySearch(steps, step);
    }
}
