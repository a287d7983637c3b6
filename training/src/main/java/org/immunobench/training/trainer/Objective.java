package org.immunobench.training.trainer;

/**
 * What one optimiser update minimises: the trainer owns the loop (learning-rate schedule, clipping, AdamW,
 * divergence check, logging, callbacks), an objective owns the loss. Plain supervised fine-tuning is
 * {@link SupervisedObjective}; defences with their own losses (perturbation-aware, representation, meta-learned …)
 * implement this interface instead of writing another loop.
 *
 * <p>Contract of {@link #step}: the trainable parameters' gradients are zero on entry; on return they hold
 * ∂L/∂θ of this update's loss L. Gradients are recorded with {@link Autograd#record()} on the calling thread
 * (grad mode is off outside a recording, so in-place edits of the weights — a simulated attack step that is undone
 * afterwards, say — are allowed between recordings). The objective must leave the weights as it found them: only the
 * trainer's optimiser step changes them.
 */
public interface Objective {
    StepLoss step(StepContext context);

    /** Extra words for the trainer's progress line (e.g. {@code epoch 3}); empty by default. */
    default String progress() {
        return "";
    }
}
