package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.HookPoint;
import org.immunobench.lm.model.LeafPerturbation;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Autograd;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.SupervisedObjective;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Additive perturbations ε_l of the residual stream at the output e_l of chosen layers (hook point POST l): what
 * the perturbation-aware defences share (Vaccine 2402.01109, T-Vaccine 2410.09760). Three pieces:
 * <ul>
 *   <li>{@link #probe}: the loss of a batch and ∇_{e_l}L for each chosen layer, read through zero leaves added at
 *     those points (DJL cannot retain the gradient of an intermediate array; docs/engine-notes.md);</li>
 *   <li>{@link #scaledToNorm}: ε_l = ρ · d_l / ‖(d_l)_l‖ with one global L2 norm over every layer, position and row,
 *     which with d = ∇L is the first-order maximiser of L(e + ε) over ‖ε‖ ≤ ρ; {@link #randomDirections} gives the
 *     random-direction ablation;</li>
 *   <li>{@link #perturbedBackward}: forward with ε added, backward into the trainable weights.</li>
 * </ul>
 * Every array lives in the caller's step scope. Call outside any {@link Autograd} recording (each method that needs
 * one opens its own).
 */
final class LayerPerturbation {
    private LayerPerturbation() {
    }

    /**
     * @param loss the batch's loss, scale · Σ NLL
     * @param gradients ∇_{e_l} loss by layer, each (B, T, D), in the step scope
     */
    record Probe(double loss, Map<Integer, NDArray> gradients) {
    }

    /**
     * Forward and backward of {@code scale · Σ NLL(batch)} with a zero leaf at the output of each of {@code layers};
     * the leaves' gradients are ∇_{e_l}. The pass also writes into the trainable parameters' gradients, which this
     * method zeroes again: call it only while those gradients hold nothing yet (at the start of an objective's step).
     *
     * @param scale an array in {@code scope} (a tensor operand, never a Number: see {@code Trainer})
     */
    static Probe probe(LlamaWeights w, PaddedBatch batch, List<Integer> layers, NDArray scale, int vocabChunk,
            NDManager scope, List<NDArray> parameters) {
        Shape shape = new Shape(batch.rows(), batch.length(), w.config().hiddenSize());
        LeafPerturbation leaves = new LeafPerturbation();
        for (int layer : layers) {
            NDArray zero = scope.zeros(shape);
            zero.setRequiresGradient(true);
            leaves.put(HookPoint.post(layer), zero);
        }
        double loss;
        try (Autograd.Recording recording = Autograd.record()) {
            NDArray l = SupervisedObjective.nllSum(w, batch, vocabChunk, scope, List.of(leaves)).mul(scale);
            recording.backward(l);
            loss = l.getFloat();
        }
        Map<Integer, NDArray> gradients = new LinkedHashMap<>();
        for (int layer : layers) {
            gradients.put(layer, leaves.get(HookPoint.post(layer)).getGradient());
        }
        zeroGradients(parameters);
        return new Probe(loss, gradients);
    }

    /** ε_l = ρ · d_l / ‖d‖ with ‖d‖ the L2 norm over all layers together; all zeros when d is zero. */
    static Map<Integer, NDArray> scaledToNorm(Map<Integer, NDArray> directions, double rho, NDManager scope) {
        double norm = globalNorm(directions.values());
        NDArray factor = scope.full(new Shape(), norm > 0 ? (float) (rho / norm) : 0f);
        Map<Integer, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, NDArray> e : directions.entrySet()) {
            out.put(e.getKey(), e.getValue().mul(factor));
        }
        return out;
    }

    /**
     * Standard normal directions, one (B, T, D) array per layer, zero at pad positions: a perturbation there could
     * not change the loss (pads are neither attended to nor read), so the whole norm budget goes to real tokens.
     */
    static Map<Integer, NDArray> randomDirections(PaddedBatch batch, List<Integer> layers, int hidden, Random random,
            NDManager scope) {
        float[] attention = batch.attention();
        Map<Integer, NDArray> out = new LinkedHashMap<>();
        for (int layer : layers) {
            float[] values = new float[attention.length * hidden];
            for (int position = 0; position < attention.length; position++) {
                if (attention[position] != 0f) {
                    for (int d = 0; d < hidden; d++) {
                        values[position * hidden + d] = (float) random.nextGaussian();
                    }
                }
            }
            out.put(layer, scope.create(values, new Shape(batch.rows(), batch.length(), hidden)));
        }
        return out;
    }

    /**
     * Forward with ε_l added at the output of each layer in {@code perturbation}, backward of
     * {@code scale · Σ NLL} into the trainable parameters' gradients; returns that loss. ε is a constant here.
     */
    static double perturbedBackward(LlamaWeights w, PaddedBatch batch, Map<Integer, NDArray> perturbation,
            NDArray scale, int vocabChunk, NDManager scope) {
        LeafPerturbation add = new LeafPerturbation();
        perturbation.forEach((layer, eps) -> add.put(HookPoint.post(layer), eps));
        try (Autograd.Recording recording = Autograd.record()) {
            NDArray l = SupervisedObjective.nllSum(w, batch, vocabChunk, scope, List.of(add)).mul(scale);
            recording.backward(l);
            return l.getFloat();
        }
    }

    /** √(Σ ‖a‖²) over the arrays, summed in double. */
    static double globalNorm(Collection<NDArray> arrays) {
        double sq = 0;
        for (NDArray a : arrays) {
            sq += squaredNorm(a);
        }
        return Math.sqrt(sq);
    }

    /** ‖a‖²; the temporaries are closed here, so {@code a} may live on a long-lived manager (a weight's gradient). */
    static double squaredNorm(NDArray a) {
        try (NDArray square = a.square(); NDArray sum = square.sum()) {
            return sum.getFloat();
        }
    }

    /** Zeroes the gradients of {@code parameters} (outside a recording, as the trainer does). */
    static void zeroGradients(Collection<NDArray> parameters) {
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    /** Every layer index of the model, 0 … L − 1. */
    static List<Integer> allLayers(LlamaWeights w) {
        return java.util.stream.IntStream.range(0, w.config().numLayers()).boxed().toList();
    }
}
