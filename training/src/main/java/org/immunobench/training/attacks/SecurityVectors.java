package org.immunobench.training.attacks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.immunobench.training.defences.DefenceTraining;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.LoraConfig;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Security Vectors (Zhou et al., "Making Harmful Behaviors Unlearnable for Large Language Models", arXiv 2311.02105,
 * ACL 2024 Findings). A fine-tuning-stage defence: the provider runs the user's fine-tuning with a frozen "security
 * vector" switched on, so it wraps the attack's fine-tuning ({@link FinetuningDefences}).
 *
 * <p>A min-min bilevel recipe. The vector φ is a set of separable extra parameters — a LoRA adapter here, as in the
 * RepNoise authors' re-implementation — trained to make the harmful responses already predicted; the user's
 * fine-tuning then sees (almost) no loss, hence no gradient, on harmful targets and leaves θ's harmful behaviour where
 * it was; the model is served without φ:
 * <pre>
 *   stage 1 (provider):  φ* = argmin_φ  Σ_{(x,y) ∈ D_harm,provider} −log p_{θ_0 ⊕ φ}(y | x)        θ_0 frozen
 *   stage 2 (the user's fine-tuning, the attack):
 *                        θ* = argmin_θ  Σ_{(x,y) ∈ D_user} −log p_{θ ⊕ φ*}(y | x)                   φ* frozen, on
 *   evaluation:          p_{θ*}, without φ*
 * </pre>
 * with θ ⊕ φ the LoRA sum W + (α/r)·B·A on the adapted projections and D_user the attack's harmful/benign mix exactly
 * as {@link HarmfulSft} builds it. Stage 2 adds the frozen ΔW = (α/r)·B·A to the projections in place around every
 * forward and backward and copies the saved weights back afterwards, bit for bit; the gradient is then ∇_θ L(θ ⊕ φ*)
 * and the optimiser never sees φ*. So the probes at {@code eval_steps}, which run between updates, see θ without the
 * vector. A LoRA attack ({@code harmful_lora}) trains its own adapters over θ ⊕ φ* and merges them at the end.
 *
 * <p>Removal at inference: the reference's summary of the paper says inference uses θ only, with φ removed (taken
 * from the abstract and a secondary transcription, not the PDF); the re-implementation's code path does not show
 * whether the adapter is removed before scoring. Our reading: removal is the method — with φ* on, the model predicts
 * the harmful responses by construction, and the claim is that θ* alone stays as harmless as the released model.
 * So harm is measured without the vector.
 *
 * <p>D_harm,provider is the provider's own harmful data ({@link ProviderData#harmful()}: on the toy world the pretrain
 * split's harmful rows of the attack domains, the defences' harmful data), disjoint from the attacker's, as the paper's
 * 100 vector samples are distinct from the 1000 fine-tuning samples they block; vectors built from the attacker's
 * own examples would overstate the defence and void the held-out-domain (generalisation) attacks.
 *
 * <p>Defaults. Official code and hyper-parameters were not found; the re-implementation trains a LoRA of r 8, α 32,
 * dropout 0.1 on the harmful data with the backbone frozen, Adam at lr 1e-3 for one epoch, then fine-tunes the
 * backbone with the adapter frozen and on. Ours: {@code vector_samples} 100 (the paper's claim is about 100 vector
 * samples), {@code vector_steps} 64 updates of the attack's batch (several epochs of 100 samples: a toy model's
 * adapter needs more than one pass to predict the answers well, and a weak vector would understate the method),
 * {@code vector_lr} 1e-3, {@code lora_rank} 8, {@code lora_alpha} 32 as in the re-implementation, constant lr; no
 * dropout (our LoRA has none). {@code lora_targets}: all seven projections, since the re-implementation's targets
 * are not known and a vector on every projection can carry the most behaviour.
 */
public final class SecurityVectors implements Attack {
    public static final String NAME = "security_vectors";

    /**
     * The {@code config} of the {@code security_vectors} fine-tuning-stage defence; every field optional.
     *
     * @param vectorSteps stage-1 updates of the vector (default 64)
     * @param vectorLr stage-1 learning rate (default 1e-3)
     * @param vectorSamples provider harmful examples the vector is trained on, drawn with the attack's seed
     *     (default 100; all of them when the provider has fewer)
     * @param loraRank r of the vector's LoRA (default 8)
     * @param loraAlpha α of the vector's LoRA (default 32)
     * @param loraTargets projections the vector adapts (default all seven)
     */
    public record SecurityVectorsConfig(Integer vectorSteps, Double vectorLr, Integer vectorSamples, Integer loraRank,
            Double loraAlpha, List<String> loraTargets) {
        public static final int DEFAULT_VECTOR_STEPS = 64;
        public static final double DEFAULT_VECTOR_LR = 1e-3;
        public static final int DEFAULT_VECTOR_SAMPLES = 100;
        public static final int DEFAULT_LORA_RANK = 8;
        public static final double DEFAULT_LORA_ALPHA = 32;
        public static final List<String> DEFAULT_LORA_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj");

        public SecurityVectorsConfig {
            vectorSteps = DefenceTraining.positive("vector_steps:", vectorSteps, DEFAULT_VECTOR_STEPS);
            vectorLr = DefenceTraining.finite("vector_lr:", vectorLr, DEFAULT_VECTOR_LR, true);
            vectorSamples = DefenceTraining.positive("vector_samples:", vectorSamples, DEFAULT_VECTOR_SAMPLES);
            loraRank = DefenceTraining.positive("lora_rank:", loraRank, DEFAULT_LORA_RANK);
            loraAlpha = DefenceTraining.finite("lora_alpha:", loraAlpha, DEFAULT_LORA_ALPHA, true);
            loraTargets = loraTargets == null || loraTargets.isEmpty() ? DEFAULT_LORA_TARGETS
                    : List.copyOf(loraTargets);
            for (String t : loraTargets) {
                if (!LoraConfig.PROJECTIONS.contains(t)) {
                    throw new IllegalArgumentException("lora_targets: unknown projection '" + t + "'; known: "
                            + new java.util.TreeSet<>(LoraConfig.PROJECTIONS));
                }
            }
        }
    }

    private final String kind;
    private final SecurityVectorsConfig config;
    private final HarmfulSftConfig attack;
    private final ProviderData provider;

    /**
     * @param kind the wrapped attack's kind ({@code harmful_sft} …)
     * @param attack the wrapped attack's data mix and optimisation (steps, lr, batch, seed, probe steps, LoRA)
     * @param provider the provider's data; its harmful examples train the vector
     */
    public SecurityVectors(String kind, SecurityVectorsConfig config, HarmfulSftConfig attack, ProviderData provider) {
        this.kind = kind;
        this.config = config;
        this.attack = attack;
        this.provider = provider;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        TrainerConfig tc = attack.trainer();
        List<TrainingExample> mix = HarmfulSft.mixture(data, attack.samples(), attack.harmfulRatio(), tc.seed());
        try (Vector vector = Vector.train(target, provider.harmful(), config, tc.batchSize(), tc.seed())) {
            TrainingResult r = new Trainer().run(target, new VectorActive(new SupervisedObjective(mix, tc.seed()),
                    vector), tc, (step, metrics, weights) -> probe.measure(step, weights, List.of()));
            if (tc.lora() != null) {
                target.mergeLora();
            }
            return new AttackResult(r.status().label(), r.steps(), r, List.of(),
                    Map.of("final_loss", r.finalLoss(), "samples", (double) mix.size(),
                            "harmful_ratio", attack.harmfulRatio(),
                            "security_vector_final_loss", vector.training().finalLoss(),
                            "security_vector_steps", (double) vector.training().steps()));
        }
    }

    /**
     * A trained security vector, held off the model: ΔW = (α/r)·B·A per adapted projection, by weight name. Owns its
     * arrays; close it when the fine-tuning is done.
     */
    static final class Vector implements AutoCloseable {
        private static final NDIndex ALL = new NDIndex("...");

        private final NDManager manager;
        private final Map<String, NDArray> deltas;
        private final TrainingResult training;

        private Vector(NDManager manager, Map<String, NDArray> deltas, TrainingResult training) {
            this.manager = manager;
            this.deltas = deltas;
            this.training = training;
        }

        /**
         * Stage 1: trains LoRA adapters on {@code harmful} with the backbone frozen, takes their ΔW and removes them,
         * leaving the backbone bit-identical to how it came in.
         *
         * @param batch examples per update (the attack's)
         * @param seed the draw of the vector samples, their order and the adapters' initialisation
         */
        static Vector train(LlamaWeights w, List<TrainingExample> harmful, SecurityVectorsConfig c, int batch,
                long seed) {
            if (harmful.isEmpty()) {
                throw new IllegalArgumentException("security_vectors needs the provider's harmful examples to train"
                        + " the vector, and none were given");
            }
            if (!w.adapters().isEmpty()) {
                throw new IllegalStateException("security_vectors trains its vector as LoRA adapters, but the weights"
                        + " already carry adapters");
            }
            LoraConfig lora = new LoraConfig(c.loraRank(), c.loraAlpha(), c.loraTargets(), seed);
            TrainerConfig tc = TrainerConfig.defaults(c.vectorLr(), c.vectorSteps(), batch).withSeed(seed)
                    .withLora(lora);
            NDManager manager = NDManager.newBaseManager(w.device());
            // LlamaWeights drops adapters only by merging them into the backbone, so the backbone is saved first and
            // copied back after the merge.
            Map<String, NDArray> backbone = new LinkedHashMap<>();
            try {
                for (int layer = 0; layer < w.config().numLayers(); layer++) {
                    for (String projection : lora.targets()) {
                        String name = LlamaNames.projectionWeight(layer, projection);
                        NDArray copy = w.get(name).duplicate();
                        copy.attach(manager);
                        backbone.put(name, copy);
                    }
                }
                TrainingResult r;
                Map<String, NDArray> deltas = new LinkedHashMap<>();
                try {
                    r = new Trainer().run(w, sample(harmful, c.vectorSamples(), seed), tc, null);
                    NDArray scaling = manager.full(new Shape(), (float) lora.scaling());
                    for (Map.Entry<String, LlamaWeights.LoraAdapter> e : w.adapters().entrySet()) {
                        NDArray delta = e.getValue().b().matMul(e.getValue().a());
                        delta.attach(manager);
                        delta.muli(scaling);
                        deltas.put(e.getKey(), delta);
                    }
                } finally {
                    if (!w.adapters().isEmpty()) {
                        w.mergeLora();
                    }
                    backbone.forEach((name, saved) -> w.get(name).set(ALL, saved));
                }
                backbone.values().forEach(NDArray::close);
                return new Vector(manager, Collections.unmodifiableMap(deltas), r);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /** ΔW by weight name. */
        Map<String, NDArray> deltas() {
            return deltas;
        }

        /** Stage 1's training result. */
        TrainingResult training() {
            return training;
        }

        /** ΔW as host floats, by weight name. */
        Map<String, float[]> snapshot() {
            Map<String, float[]> out = new LinkedHashMap<>();
            deltas.forEach((name, d) -> out.put(name, d.toFloatArray()));
            return out;
        }

        @Override
        public void close() {
            manager.close();
        }

        /** {@code n} examples drawn without replacement in a seeded order (all of them when there are fewer). */
        private static List<TrainingExample> sample(List<TrainingExample> pool, int n, long seed) {
            List<TrainingExample> order = new ArrayList<>(pool);
            Collections.shuffle(order, new Random(seed));
            return List.copyOf(order.subList(0, Math.min(n, order.size())));
        }
    }

    /**
     * Stage 2's objective: {@code inner}'s loss and gradient at θ ⊕ φ*, i.e. with the vector's ΔW added to the
     * projections for the forward and backward and the saved weights copied back afterwards (bit for bit, so the
     * optimiser and the probes only ever see θ). The gradient of L(θ + ΔW) with respect to θ is ∇L at θ + ΔW.
     */
    static final class VectorActive implements Objective {
        private static final NDIndex ALL = new NDIndex("...");

        private final Objective inner;
        private final Vector vector;

        VectorActive(Objective inner, Vector vector) {
            this.inner = inner;
            this.vector = vector;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            List<NDArray[]> edited = new ArrayList<>(vector.deltas().size());
            try (NDManager saved = NDManager.newBaseManager(ctx.weights().device())) {
                try {
                    for (Map.Entry<String, NDArray> e : vector.deltas().entrySet()) {
                        NDArray w = ctx.weights().get(e.getKey());
                        NDArray copy = w.duplicate();
                        copy.attach(saved);
                        edited.add(new NDArray[] {w, copy});
                        w.addi(e.getValue()); // grad mode is off between recordings: an untracked in-place edit
                    }
                    return inner.step(ctx);
                } finally {
                    for (NDArray[] pair : edited) {
                        pair[0].set(ALL, pair[1]);
                    }
                }
            }
        }

        @Override
        public String progress() {
            return inner.progress();
        }
    }
}
