package org.immunobench.training.trainer;

import org.immunobench.lm.model.LlamaWeights;

/**
 * Called by {@link Trainer} at the steps of {@link TrainerConfig#callbackSteps()}, after that step's update (step 0:
 * before any update), e.g. to record an attack's harm curve. Runs on the trainer's thread with grad mode off and no
 * {@link Autograd} recording open; the weights may be read (forward passes, copies) but must not be modified. A
 * callback that needs gradients opens its own {@link Autograd#record()} on that thread; the trainer zeroes its
 * parameters' gradients afterwards, so whatever the callback accumulates there cannot leak into the next update.
 * Other trainers may be running on other threads meanwhile, each with its own weights.
 */
@FunctionalInterface
public interface TrainingCallback {
    TrainingCallback NONE = (step, metrics, weights) -> { };

    void onStep(int step, StepMetrics metrics, LlamaWeights weights);
}
