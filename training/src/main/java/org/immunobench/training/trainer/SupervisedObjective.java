package org.immunobench.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.scoring.TokenNll;

import java.util.ArrayList;
import java.util.List;

/**
 * Supervised next-token training: L = (1 / N_eff) Σ_{targets t of the effective batch} −log p(x_t | x_&lt;t), the
 * mean NLL over the target tokens of all A micro-batches of an update together. Each micro-batch backpropagates its
 * NLL sum divided by N_eff, so the accumulated gradient equals that of one batch of B·A examples exactly (the usual
 * "divide by A" is contained in it, and micro-batches with more targets weigh proportionally more, which HF's
 * per-micro-batch mean would not). Prompt and pad positions are never targets ({@link TrainingExample}).
 *
 * <p>Examples are drawn in a seeded per-epoch shuffle ({@link DataOrder}); the same data, config and seed give the
 * same batches.
 */
public final class SupervisedObjective implements Objective {
    private final List<TrainingExample> data;
    private final DataOrder order;

    public SupervisedObjective(List<TrainingExample> data, long seed) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        this.data = List.copyOf(data);
        this.order = new DataOrder(data.size(), seed);
    }

    /** The next micro-batch of {@code size} examples in the data order. */
    public PaddedBatch next(int size) {
        List<TrainingExample> rows = new ArrayList<>(size);
        for (int b = 0; b < size; b++) {
            rows.add(data.get(order.next()));
        }
        return PaddedBatch.of(rows);
    }

    @Override
    public StepLoss step(StepContext ctx) {
        TrainerConfig cfg = ctx.config();
        List<PaddedBatch> micro = new ArrayList<>(cfg.gradAccumulation());
        long lossTokens = 0;
        long tokens = 0;
        for (int a = 0; a < cfg.gradAccumulation(); a++) {
            PaddedBatch batch = next(cfg.batchSize());
            micro.add(batch);
            lossTokens += batch.lossTokens();
            tokens += batch.realTokens();
        }
        double loss = 0;
        for (PaddedBatch batch : micro) {
            loss += forwardBackward(ctx.weights(), batch, lossTokens, cfg.vocabChunk());
        }
        return StepLoss.of(loss, tokens, lossTokens);
    }

    @Override
    public String progress() {
        return "epoch " + order.epoch();
    }

    /**
     * Forward and backward of one micro-batch; returns its share of the update's loss, Σ NLL / N_eff. Records
     * gradients on this thread for the duration; all per-batch arrays live in one scope closed here.
     */
    public static double forwardBackward(LlamaWeights w, PaddedBatch batch, long effectiveTargets, int vocabChunk) {
        try (NDManager scope = NDManager.newBaseManager(w.device());
                Autograd.Recording recording = Autograd.record()) {
            NDArray loss = nllSum(w, batch, vocabChunk, scope).mul(scope.full(new Shape(), 1f / effectiveTargets));
            recording.backward(loss);
            return loss.getFloat();
        }
    }

    /**
     * Σ NLL of the batch's target tokens as a scalar array in {@code scope}, on the autograd graph when recording.
     * A tensor operand, never div(Number), scales it afterwards: DJL backs Number operands with a Java direct buffer
     * that a GC may free while autograd still holds it (see {@link Trainer}).
     */
    public static NDArray nllSum(LlamaWeights w, PaddedBatch batch, int vocabChunk, NDManager scope) {
        return nllSum(w, batch, vocabChunk, scope, List.of());
    }

    /**
     * {@link #nllSum(LlamaWeights, PaddedBatch, int, NDManager)} with {@code interventions} acting on the residual
     * stream (perturbation-aware defences add ε after layers, or read ∂L/∂h through zero leaves).
     */
    public static NDArray nllSum(LlamaWeights w, PaddedBatch batch, int vocabChunk, NDManager scope,
            List<ResidualIntervention> interventions) {
        NDArray tokens = scope.create(batch.inputs(), new Shape(batch.rows(), batch.length()));
        NDArray mask = scope.create(batch.attention(), new Shape(batch.rows(), batch.length()));
        ForwardResult r = LlamaForward.forward(w, tokens, mask,
                ForwardOptions.hiddenOnly().withInterventions(interventions), null);
        NDArray hidden = r.finalHidden().reshape(-1, w.config().hiddenSize()); // (B·T, D)
        // Only target rows reach the LM head: prompt and pad rows cost nothing there and cannot leak into the loss.
        NDArray picked = hidden.get(scope.create(batch.targetPositions())); // (N, D)
        return TokenNll.compute(w, picked, scope.create(batch.targetTokens()), vocabChunk).sum(); // ()
    }
}
