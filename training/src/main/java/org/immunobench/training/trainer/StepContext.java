package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;

import java.util.List;

/**
 * What an {@link Objective} sees at one update.
 *
 * @param weights the model being trained (read it; do not keep edits)
 * @param parameters the trainable arrays, in a fixed order (all weights, or only LoRA adapters)
 * @param step the update being computed, from 1
 * @param config the run's hyper-parameters (batch size, accumulation, vocabulary chunk, seed …)
 */
public record StepContext(LlamaWeights weights, List<NDArray> parameters, int step, TrainerConfig config) {
}
