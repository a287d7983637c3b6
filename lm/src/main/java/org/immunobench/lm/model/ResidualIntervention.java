package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;

/**
 * Changes the residual stream during a forward pass. Implementations must create any arrays they need on
 * {@code hidden.getManager()} (the per-batch scope), never on a long-lived manager.
 */
public interface ResidualIntervention {
    /**
     * @param point where in the stream
     * @param hidden the stream there, (B, T, D)
     * @return the stream to continue with, (B, T, D); {@code hidden} itself when this point is not targeted
     */
    NDArray apply(HookPoint point, NDArray hidden);
}
