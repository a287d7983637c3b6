package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Outputs of one forward pass, all in the caller's scope.
 *
 * @param finalHidden (B, T, D) after the final RMSNorm
 * @param logits (B, T, V) for {@code ALL}, (B, V) for {@code LAST}, null for {@code NONE}
 * @param hiddenStates L + 1 arrays (B, T, D): embeddings, then the stream after each layer (before the final norm),
 *     after interventions; null unless captured
 */
public record ForwardResult(NDArray finalHidden, NDArray logits, List<NDArray> hiddenStates) {
}
