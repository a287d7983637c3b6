package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MLAC, meta-learned adversarial censoring (Henderson et al., "Self-Destructing Models: Increasing the Costs of
 * Harmful Dual Uses of Foundation Models", arXiv 2211.14946, AIES 2023): train the model so that fine-tuning it on
 * the harmful ("bad") task does not help, while it stays good at the benign ("good") task. Bi-level, first-order:
 *
 * <pre>
 *   min_θ  L_good(θ; x_benign)  −  β · L_bad(θ_K; x_query)
 *
 *   θ_0 = θ,  θ_k = θ_{k−1} − η ∇ L_bad(θ_{k−1}; x_adv,k)            k = 1 … K   (the simulated attacker)
 *   gradient applied to θ:  ∇_θ L_good(θ)  −  β · ∇_{θ_K} L_bad(θ_K)        (first-order: dθ_K/dθ taken as I)
 * </pre>
 * L_good is the benign stream's response NLL, L_bad the harmful stream's; x_query is a harmful batch the attacker's
 * steps did not use (MAML's query set). β is {@code bad_weight}, η {@code inner_lr}. The attacker's steps run in place
 * and are undone exactly before the update ({@link InnerLoop}); the trainer's AdamW applies it.
 *
 * <p>This is first-order. The paper differentiates through the K adaptation steps (second order, with the
 * {@code higher} library), which is affordable only for its 2-layer BERT; TAR (2408.00761) reports that the
 * LLM variant of MLAC fails at scale, which is worth keeping in mind when reading its results here. Note that
 * −L_bad is unbounded below: a long run can push the harmful NLL at θ_K very high; clipping, the trainer's divergence
 * check and the retain term are the only brakes.
 *
 * <p>Paper / official code defaults, and ours (toy world, ~0.84M parameters, 1 CPU thread):
 * <ul>
 *   <li>Loss: the code's total is l_good_base·L_good(θ) − l_bad_base·L_bad(θ) + l_good_adapted·L_good(θ'_K)
 *     − l_bad_adapted·L_bad(θ'_K) − l_good_adapted_bad·L_good(θ'_good) + a mutual-information term + a penalty on
 *     ‖∇L_bad(θ'_K)‖; the bi-level variant here keeps l_good_base = 1 and l_bad_adapted = β (README example: 1), the
 *     other weights 0.</li>
 *   <li>Inner loop: K = 16 steps (Bias-in-Bios; 5 globally) with a learned adversarial head and a learned inner
 *     learning rate (the adversary maximises inside, the defender minimises outside). Ours: K = {@code inner_steps}
 *     4 plain SGD steps of the whole model at a fixed {@code inner_lr}, no extra head: our attacker fine-tunes the
 *     language-model head it is given.</li>
 *   <li>{@code steps} 50000 at {@code lr} 1e-5, batch 20 on a 2-layer BERT. Ours: 60 updates at 1e-3, batch 8. An
 *     update costs K + 2 forward/backward passes: 60 updates took 17 s of CPU on one thread for a toy-shaped model
 *     (measured on a loaded machine). 1e-3 is the toy attack's AdamW lr ({@code harmful_sft}); the same as TAR's.</li>
 *   <li>{@code inner_lr} 0.1: the middle of TAR's simulated-attacker rates, calibrated so that 4 SGD steps lower the
 *     harmful NLL about as much as 4 AdamW steps of the toy attack (see {@link Tar}).</li>
 * </ul>
 */
public final class Mlac implements Defence {
    public static final String NAME = "mlac";

    /**
     * The {@code config} of an {@code mlac} defence; every field optional.
     *
     * @param steps outer (optimiser) updates
     * @param lr peak learning rate of the outer AdamW
     * @param batch examples per batch, for every stream
     * @param innerSteps K, simulated attack steps per update
     * @param innerLr η, the simulated attacker's SGD learning rate
     * @param badWeight β, weight of the harmful loss after adaptation (subtracted)
     */
    public record MlacConfig(Integer steps, Double lr, Integer batch, Integer innerSteps, Double innerLr,
            Double badWeight) {
        public static final int DEFAULT_STEPS = 60;
        public static final double DEFAULT_LR = 1e-3;
        public static final int DEFAULT_BATCH = 8;
        public static final int DEFAULT_INNER_STEPS = 4;
        public static final double DEFAULT_INNER_LR = 0.1;
        public static final double DEFAULT_BAD_WEIGHT = 1.0;

        public MlacConfig {
            steps = DefenceTraining.positive("steps", steps, DEFAULT_STEPS);
            lr = DefenceTraining.nonNegative("lr", lr, DEFAULT_LR, true);
            batch = DefenceTraining.positive("batch", batch, DEFAULT_BATCH);
            innerSteps = DefenceTraining.positive("inner_steps", innerSteps, DEFAULT_INNER_STEPS);
            innerLr = DefenceTraining.nonNegative("inner_lr", innerLr, DEFAULT_INNER_LR, true);
            badWeight = DefenceTraining.nonNegative("bad_weight", badWeight, DEFAULT_BAD_WEIGHT, false);
        }

        public static MlacConfig defaults() {
            return new MlacConfig(null, null, null, null, null, null);
        }
    }

    private final MlacConfig config;
    private final long seed;

    public Mlac(MlacConfig config, long seed) {
        this.config = config == null ? MlacConfig.defaults() : config;
        this.seed = seed;
    }

    public MlacConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        MlacObjective objective = objective(weights, data);
        TrainingResult result = DefenceTraining.train(weights, objective, config.steps(), config.lr(),
                config.batch(), seed);
        Map<String, Double> metrics = objective.history.firstAndLast(result);
        metrics.put("inner_steps", (double) config.innerSteps());
        metrics.put("inner_lr", config.innerLr());
        metrics.put("bad_weight", config.badWeight());
        return DefenceResult.of(result, metrics);
    }

    /** The loss of one update, drawing its batches from {@code data}. */
    MlacObjective objective(LlamaWeights weights, DefenceData data) {
        var c = weights.config();
        List<TrainingExample> harmful = DefenceStreams.require(NAME, "harmful", data.harmful(), c);
        List<TrainingExample> benign = DefenceStreams.require(NAME, "benign", data.benign(), c);
        return new MlacObjective(config, new SupervisedObjective(benign, seed),
                new SupervisedObjective(harmful, seed + 1), new SupervisedObjective(harmful, seed + 2));
    }

    /** MLAC's loss, one update at a time; see the class comment. */
    static final class MlacObjective implements Objective {
        private final MlacConfig config;
        private final SupervisedObjective good;
        private final SupervisedObjective adaptation;
        private final SupervisedObjective query;
        final LossHistory history = new LossHistory();

        MlacObjective(MlacConfig config, SupervisedObjective good, SupervisedObjective adaptation,
                SupervisedObjective query) {
            this.config = config;
            this.good = good;
            this.adaptation = adaptation;
            this.query = query;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            LlamaWeights w = ctx.weights();
            int batch = config.batch();
            int vocabChunk = ctx.config().vocabChunk();
            PaddedBatch goodBatch = good.next(batch);
            double goodLoss = InnerLoop.backward(w, InnerLoop.meanNll(goodBatch, vocabChunk), 1.0);
            long tokens = goodBatch.realTokens();
            double adversaryStart = Double.NaN;
            double adversaryEnd = Double.NaN;
            double badAdapted;
            PaddedBatch queryBatch;
            try (InnerLoop attack = InnerLoop.begin(w, ctx.parameters())) { // sets ∇L_good aside
                for (int k = 1; k <= config.innerSteps(); k++) {
                    PaddedBatch adv = adaptation.next(batch);
                    tokens += adv.realTokens();
                    adversaryEnd = attack.descend(InnerLoop.meanNll(adv, vocabChunk), config.innerLr());
                    if (k == 1) {
                        adversaryStart = adversaryEnd;
                    }
                }
                queryBatch = query.next(batch);
                tokens += queryBatch.realTokens();
                badAdapted = attack.accumulate(InnerLoop.meanNll(queryBatch, vocabChunk), -config.badWeight());
            } // θ is back; the gradients hold ∇L_good(θ) − β ∇L_bad(θ_K)
            Map<String, Double> parts = new LinkedHashMap<>();
            parts.put("good", goodLoss);
            parts.put("bad_adapted", badAdapted);
            parts.put("adversary_nll_start", adversaryStart);
            parts.put("adversary_nll_end", adversaryEnd);
            history.add(parts);
            return new StepLoss(goodLoss - config.badWeight() * badAdapted, tokens,
                    goodBatch.targetTokens().length + queryBatch.targetTokens().length, parts);
        }

        @Override
        public String progress() {
            return String.format(Locale.ROOT, "(K=%d, inner lr %.3g)", config.innerSteps(), config.innerLr());
        }
    }
}
