package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;

/**
 * An immunisation method: turns a parent checkpoint's weights into immunised weights before release (the defender
 * acts only before the attacker gets the weights; Rosati et al. 2402.16382). Implementations change
 * {@code weights} in place — training (Vaccine, RepNoise, TAR …) or a training-free edit (LoX) — and return their
 * own training figures. One class per defence, with its paper id and objective in the class comment; built by name
 * from {@link Defences}.
 *
 * <p>A defence never knows about Spark, files or the attack grid: the immunise job loads the weights, builds the
 * {@link DefenceData}, calls {@link #apply} and saves the result as an HF checkpoint.
 */
public interface Defence {
    /** Registry name, e.g. {@code none} or {@code lox}; also the {@code defence} column of every output row. */
    String name();

    /**
     * Immunises {@code weights} in place.
     *
     * @param weights the parent's weights on the task's device; on return, the immunised weights
     * @param data what the defender holds (alignment data, harmful and benign demonstrations, a reference model)
     */
    DefenceResult apply(LlamaWeights weights, DefenceData data);
}
