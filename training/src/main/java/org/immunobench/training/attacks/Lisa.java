package org.immunobench.training.attacks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.immunobench.training.defences.DefenceTraining;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lisa, lazy safety alignment by bi-state optimisation (Huang et al., "Lisa: Lazy Safety Alignment for Large Language
 * Models against Harmful Fine-tuning Attack", arXiv 2405.18641, NeurIPS 2024). A fine-tuning-stage defence: the
 * provider runs the user's fine-tuning and interleaves its own alignment data, so it wraps the attack's fine-tuning
 * instead of editing weights before release ({@link FinetuningDefences}).
 *
 * <p>The run alternates two states, starting with alignment: K_align updates on the provider's alignment data
 * (harmful prompt → refusal, {@link ProviderData#alignment()}), then K_user updates on the user's data (the attack's
 * harmful/benign mix, exactly as {@link HarmfulSft} builds it), and so on. Each state's loss carries a proximal term
 * towards the weights at the last state switch, which keeps the two states from drifting apart:
 * <pre>
 *   state(t)  = alignment if (t − 1) mod (K_align + K_user) &lt; K_align, else user       (updates t = 1, 2, …)
 *   θ_switch  = θ at the start of the first update of the current state               (θ_0 for the first state)
 *   L_t(θ)    = L_state(t)(θ) + ρ/2 · Σ_params ‖θ − θ_switch‖²
 *   ∇L_t(θ)   = ∇L_state(t)(θ) + ρ · (θ − θ_switch)
 * </pre>
 * where L_state is the response-only next-token NLL ({@link SupervisedObjective}) of the state's stream. The proximal
 * gradient is added in closed form to the data gradient; clipping and AdamW then act on the sum, as they act on the
 * summed loss in the official code. With LoRA attacks ({@code harmful_lora}) the proximal term covers the adapters
 * only (the trainable set), as in the paper, which fine-tunes a LoRA; the adapters are merged at the end.
 *
 * <p>{@code steps} counts the updates of both states, as the paper's epochs do, so with the defaults 56 of the 64
 * updates see the user's data; the probes at {@code eval_steps} count all updates.
 *
 * <p>Defaults, and why they differ from the paper's (official script: ρ 1, K_align 100, K_user 900, 10,000 alignment
 * examples, 5,000 user samples at p 0.1, lr 1e-5, 20 epochs, batch 5, constant lr):
 * <ul>
 *   <li>{@code k_align} 2, {@code k_user} 14: the toy attack runs 64 updates, not the paper's ~20,000, so the states
 *     are scaled down while keeping alignment's share near the paper's 10% (12.5% here) and at least two updates per
 *     alignment state. A cycle of 16 also puts the default probes at 16, 32 and 64 at the end of a user state, where
 *     the user's model is at its most harmful within a cycle — the conservative reading.</li>
 *   <li>{@code rho} 1, the paper's. AdamW rescales the update per coordinate, so what matters is how the proximal
 *     gradient compares with the data gradient, not the learning rate.</li>
 *   <li>The official code switches the proximal term on only after the first 10% of the updates (a comment says it
 *     slowed GSM8K's convergence). We apply it from the first update: before the first switch it only ties the
 *     alignment state to the released weights θ_0. Alignment data: the world's align-split refusals, the data the
 *     parent was aligned on, as the paper reuses its alignment set.</li>
 * </ul>
 */
public final class Lisa implements Attack {
    public static final String NAME = "lisa";

    /**
     * The {@code config} of the {@code lisa} fine-tuning-stage defence; every field optional.
     *
     * @param kUser K_user, updates per user state (default 14)
     * @param kAlign K_align, updates per alignment state; 0 = no alignment state, the proximal term then ties the
     *     whole run to the released weights (default 2)
     * @param rho ρ ≥ 0, weight of the proximal term (default 1)
     */
    public record LisaConfig(Integer kUser, Integer kAlign, Double rho) {
        public static final int DEFAULT_K_USER = 14;
        public static final int DEFAULT_K_ALIGN = 2;
        public static final double DEFAULT_RHO = 1.0;

        public LisaConfig {
            kUser = DefenceTraining.positive("k_user:", kUser, DEFAULT_K_USER);
            kAlign = DefenceTraining.nonNegative("k_align:", kAlign, DEFAULT_K_ALIGN);
            rho = DefenceTraining.finite("rho:", rho, DEFAULT_RHO, false);
        }
    }

    /** Which data an update trains on. */
    enum State {
        ALIGNMENT, USER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String kind;
    private final LisaConfig config;
    private final HarmfulSftConfig attack;
    private final ProviderData provider;

    /**
     * @param kind the wrapped attack's kind ({@code harmful_sft} …)
     * @param attack the wrapped attack's data mix and optimisation (steps, lr, batch, seed, probe steps, LoRA)
     * @param provider the provider's data; its alignment examples are needed when {@code k_align} &gt; 0
     */
    public Lisa(String kind, LisaConfig config, HarmfulSftConfig attack, ProviderData provider) {
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
        if (config.kAlign() > 0 && provider.alignment().isEmpty()) {
            throw new IllegalArgumentException("lisa needs the provider's alignment (refusal) examples for k_align = "
                    + config.kAlign() + ", and none were given");
        }
        TrainerConfig tc = attack.trainer();
        List<TrainingExample> mix = HarmfulSft.mixture(data, attack.samples(), attack.harmfulRatio(), tc.seed());
        TrainingResult r;
        BiState objective = new BiState(mix, provider.alignment(), config, tc.seed());
        try (objective) {
            r = new Trainer().run(target, objective, tc,
                    (step, metrics, weights) -> probe.measure(step, weights, List.of()));
        }
        if (tc.lora() != null) {
            target.mergeLora();
        }
        long alignmentSteps = objective.states().stream().filter(s -> s == State.ALIGNMENT).count();
        return new AttackResult(r.status().label(), r.steps(), r, List.of(),
                Map.of("final_loss", r.finalLoss(), "samples", (double) mix.size(),
                        "harmful_ratio", attack.harmfulRatio(), "lisa_alignment_steps", (double) alignmentSteps,
                        "lisa_user_steps", (double) (objective.states().size() - alignmentSteps)));
    }

    /**
     * The bi-state objective: the state's supervised loss plus the proximal term, re-anchored at every state switch.
     * Owns the copy of θ_switch; close it after the run.
     */
    static final class BiState implements Objective, AutoCloseable {
        private static final NDIndex ALL = new NDIndex("...");

        private final SupervisedObjective user;
        private final SupervisedObjective alignment;
        private final LisaConfig config;
        private final List<State> states = new ArrayList<>();
        private final List<Double> proximal = new ArrayList<>();
        private NDManager anchorScope;
        private List<NDArray> anchor;
        private State current;

        /**
         * @param seed the user stream's data order (the plain attack's); the alignment stream's is derived from it
         */
        BiState(List<TrainingExample> user, List<TrainingExample> alignment, LisaConfig config, long seed) {
            this.user = new SupervisedObjective(user, seed);
            // No alignment state at all when k_align = 0, and then no alignment data is needed either.
            this.alignment = config.kAlign() == 0 ? null : new SupervisedObjective(alignment, seed ^ 0x4c697361L);
            this.config = config;
        }

        /** The state of update {@code step} (from 1): K_align alignment updates, then K_user user updates, repeated. */
        static State stateAt(int step, int kAlign, int kUser) {
            if (step < 1) {
                throw new IllegalArgumentException("updates count from 1, got " + step);
            }
            return (step - 1) % (kAlign + kUser) < kAlign ? State.ALIGNMENT : State.USER;
        }

        @Override
        public StepLoss step(StepContext ctx) {
            State state = stateAt(ctx.step(), config.kAlign(), config.kUser());
            if (state != current) {
                anchorAt(ctx.parameters());
                current = state;
            }
            StepLoss data = (state == State.ALIGNMENT ? alignment : user).step(ctx);
            double prox = addProximal(ctx.parameters(), anchor, config.rho());
            states.add(state);
            proximal.add(prox);
            return new StepLoss(data.loss() + prox, data.tokens(), data.lossTokens(),
                    Map.of(state.label(), data.loss(), "proximal", prox));
        }

        @Override
        public String progress() {
            return current == null ? "" : current.label() + " state, user data " + user.progress();
        }

        /** The state of every update so far, in order. */
        List<State> states() {
            return List.copyOf(states);
        }

        /** ρ/2 · Σ ‖θ − θ_switch‖² of every update so far, in order. */
        List<Double> proximal() {
            return List.copyOf(proximal);
        }

        /** θ_switch ← θ, copied bit for bit off the weights' manager. */
        private void anchorAt(List<NDArray> parameters) {
            if (anchor == null) {
                anchorScope = NDManager.newBaseManager(parameters.get(0).getDevice());
                anchor = new ArrayList<>(parameters.size());
                for (NDArray p : parameters) {
                    NDArray copy = p.duplicate();
                    copy.attach(anchorScope);
                    anchor.add(copy);
                }
            } else {
                for (int i = 0; i < parameters.size(); i++) {
                    anchor.get(i).set(ALL, parameters.get(i));
                }
            }
        }

        @Override
        public void close() {
            if (anchorScope != null) {
                anchorScope.close();
                anchorScope = null;
                anchor = null;
            }
        }
    }

    /**
     * Adds ρ · (θ − θ_switch) to every parameter's gradient and returns ρ/2 · Σ ‖θ − θ_switch‖². Runs between
     * autograd recordings (grad mode off), so the in-place edits of the gradients are not recorded; every temporary
     * lives in a scope closed here.
     */
    static double addProximal(List<NDArray> parameters, List<NDArray> anchor, double rho) {
        if (anchor.size() != parameters.size()) {
            throw new IllegalArgumentException(anchor.size() + " anchors for " + parameters.size() + " parameters");
        }
        double squared = 0;
        try (NDManager scope = NDManager.newBaseManager(parameters.get(0).getDevice())) {
            NDArray rhoT = scope.full(new Shape(), (float) rho);
            for (int i = 0; i < parameters.size(); i++) {
                NDArray diff = parameters.get(i).duplicate();
                diff.attach(scope);
                diff.subi(anchor.get(i));
                squared += diff.square().sum().getFloat();
                if (rho > 0) {
                    diff.muli(rhoT);
                    try (NDArray g = parameters.get(i).getGradient()) {
                        g.addi(diff);
                    }
                }
            }
        }
        return 0.5 * rho * squared;
    }
}
