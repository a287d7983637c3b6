package org.immunobench.training.trainer;

/**
 * What one optimiser update measured. Step 0 (before any update) has no batch: loss, gradient norm, learning rate
 * and throughput are NaN there and token counts 0.
 *
 * @param step updates applied so far, including this one
 * @param loss mean next-token NLL (nats) over the target tokens of the effective batch, before the update
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param learningRate lr this update used
 * @param tokens real (non-pad) input tokens of the effective batch
 * @param lossTokens target tokens of the effective batch (the loss denominator)
 * @param tokensPerSecond real input tokens per second over the run so far, callbacks excluded
 */
public record StepMetrics(int step, double loss, double gradNorm, double learningRate, long tokens, long lossTokens,
        double tokensPerSecond) {

    static StepMetrics initial() {
        return new StepMetrics(0, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN);
    }
}
