package org.immunobench.training.attacks;

import org.immunobench.lm.model.LoraConfig;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.TrainerConfig;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds an {@link Attack} from an {@link AttackSpec}: parameters override the kind's defaults; an unknown
 * parameter or a bad value is an error naming {@code kind.param}.
 *
 * <p>Kinds: {@code harmful_sft}, {@code harmful_lora}, {@code benign_sft}, {@code refusal_direction} (mode
 * ablation | orthogonalise), {@code actadd}. SFT parameters: lr, steps, batch, samples, harmful_ratio, schedule
 * (constant | cosine | linear), warmup, weight_decay, max_grad_norm, lora_rank, lora_alpha, lora_targets
 * (comma-separated), probe_every (probe steps 0, k, 2k, 4k … up to steps) or eval_steps (the probe steps
 * themselves, comma-separated, each in [0, steps]; wins over probe_every). Refusal-direction parameters:
 * mode, positions, train_prompts, val_prompts, kl_bound, pruned_layer_fraction, selection ({@code refusal_score},
 * the paper's first-token proxy, or {@code compliance}: the harm a judge finds in generated completions under
 * ablation, which needs a {@link ComplianceMeasure}).
 */
public final class AttackFactory {
    private static final Set<String> SFT_KEYS = Set.of("lr", "steps", "batch", "samples", "harmful_ratio",
            "schedule", "warmup", "weight_decay", "max_grad_norm", "lora_rank", "lora_alpha", "lora_targets",
            "probe_every", "eval_steps");
    private static final Set<String> DIRECTION_KEYS = Set.of("mode", "positions", "train_prompts", "val_prompts",
            "kl_bound", "pruned_layer_fraction", "selection");
    public static final List<String> SELECTIONS = List.of("refusal_score", "compliance");
    public static final List<String> KINDS = List.of("harmful_sft", "harmful_lora", "benign_sft",
            "refusal_direction", "actadd", HarmfulRl.KIND, Misdirection.KIND);
    /** The kinds that fine-tune weights: the ones a fine-tuning-stage defence ({@link FinetuningDefences}) wraps. */
    public static final List<String> FINE_TUNING_KINDS = List.of("harmful_sft", "harmful_lora", "benign_sft");

    private AttackFactory() {
    }

    public static Attack create(AttackSpec spec) {
        return create(spec, null);
    }

    /**
     * @param compliance judge of induced compliance for {@code selection=compliance}; may be null when no spec asks
     *     for it
     */
    public static Attack create(AttackSpec spec, ComplianceMeasure compliance) {
        Map<String, String> p = spec.params();
        return switch (spec.kind()) {
            case "harmful_sft", "harmful_lora", "benign_sft" -> {
                check(spec, SFT_KEYS);
                HarmfulSftConfig config = sftConfig(spec, p);
                yield spec.kind().equals("benign_sft") ? new BenignSft(config) : new HarmfulSft(config);
            }
            case "refusal_direction", "actadd" -> {
                check(spec, DIRECTION_KEYS);
                String mode = spec.kind().equals("actadd") ? "actadd" : p.getOrDefault("mode", "ablation");
                RefusalDirectionConfig d = RefusalDirectionConfig.defaults(mode);
                String selection = p.getOrDefault("selection", "refusal_score");
                if (!SELECTIONS.contains(selection)) {
                    throw new IllegalArgumentException(spec.kind() + ".selection '" + selection + "' is unknown; known: "
                            + SELECTIONS);
                }
                if (selection.equals("compliance") && compliance == null) {
                    throw new IllegalArgumentException(spec.kind() + ".selection=compliance needs a judge of"
                            + " completions, and none was given for this run; use selection=refusal_score");
                }
                yield new RefusalDirectionAttack(new RefusalDirectionConfig(mode,
                        integer(spec, "positions", d.positions()), integer(spec, "train_prompts", d.trainPrompts()),
                        integer(spec, "val_prompts", d.valPrompts()), number(spec, "kl_bound", d.klBound()),
                        number(spec, "pruned_layer_fraction", d.prunedLayerFraction()), d.batchSize()),
                        selection.equals("compliance") ? compliance : null);
            }
            case HarmfulRl.KIND -> new HarmfulRl(bind(spec, HarmfulRlParams.class), spec.seed());
            case Misdirection.KIND -> new Misdirection(bind(spec, MisdirectionParams.class));
            default -> throw new IllegalArgumentException("attack.kind '" + spec.kind() + "' is unknown; known: "
                    + KINDS);
        };
    }

    /**
     * The optimisation and data mix of a fine-tuning attack spec, checked like {@link #create}: for wrappers that run
     * the attack's fine-tuning themselves (fine-tuning-stage defences).
     *
     * @throws IllegalArgumentException if the kind does not fine-tune weights or a parameter is unknown or bad
     */
    static HarmfulSftConfig fineTuningConfig(AttackSpec spec) {
        if (!FINE_TUNING_KINDS.contains(spec.kind())) {
            throw new IllegalArgumentException("attack.kind '" + spec.kind() + "' does not fine-tune weights; known"
                    + " fine-tuning kinds: " + FINE_TUNING_KINDS);
        }
        check(spec, SFT_KEYS);
        return sftConfig(spec, spec.params());
    }

    private static HarmfulSftConfig sftConfig(AttackSpec spec, Map<String, String> p) {
        HarmfulSftConfig d = HarmfulSftConfig.defaults(spec.seed());
        TrainerConfig t = d.trainer();
        int steps = integer(spec, "steps", t.maxSteps());
        int probeEvery = integer(spec, "probe_every", 8);
        LrSchedule.Decay decay;
        String schedule = p.getOrDefault("schedule", t.schedule().name().toLowerCase(Locale.ROOT));
        try {
            decay = LrSchedule.Decay.valueOf(schedule.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(spec.kind() + ".schedule '" + schedule
                    + "' is unknown; known: constant, cosine, linear");
        }
        // The defaults' probe steps are dropped first: they may lie beyond a shorter run.
        t = t.withCallbackSteps(List.of()).withLearningRate(number(spec, "lr", t.learningRate()))
                .withMaxSteps(steps)
                .withBatch(integer(spec, "batch", t.batchSize()), 1)
                .withSchedule(decay, integer(spec, "warmup", 0))
                .withWeightDecay(number(spec, "weight_decay", t.weightDecay()))
                .withMaxGradNorm(number(spec, "max_grad_norm", t.maxGradNorm()))
                .withCallbackSteps(p.containsKey("eval_steps") ? evalSteps(spec, steps)
                        : TrainerConfig.doublingSteps(probeEvery, steps))
                .withSeed(spec.seed());
        boolean lora = spec.kind().equals("harmful_lora") || p.containsKey("lora_rank");
        if (lora) {
            int rank = integer(spec, "lora_rank", 8);
            List<String> targets = List.of(p.getOrDefault("lora_targets", "q_proj,v_proj").split(","));
            t = t.withLora(new LoraConfig(rank, number(spec, "lora_alpha", 2.0 * rank), targets, spec.seed()));
        }
        double ratio = spec.kind().equals("benign_sft") ? 0.0 : number(spec, "harmful_ratio", d.harmfulRatio());
        return new HarmfulSftConfig(integer(spec, "samples", d.samples()), ratio, t);
    }

    /** {@code eval_steps}: distinct sorted steps in [0, steps]. */
    private static List<Integer> evalSteps(AttackSpec spec, int steps) {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (String part : spec.params().get("eval_steps").split(",")) {
            int s;
            try {
                s = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(spec.kind() + ".eval_steps must be integers separated by commas,"
                        + " got '" + spec.params().get("eval_steps") + "'");
            }
            if (s < 0 || s > steps) {
                throw new IllegalArgumentException(spec.kind() + ".eval_steps: " + s + " is outside [0, steps = "
                        + steps + "]");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static <P> P bind(AttackSpec spec, Class<P> type) {
        return org.immunobench.lm.config.ConfigBinder.bindStrings(spec.params(), type, spec.kind());
    }

    private static void check(AttackSpec spec, Set<String> known) {
        Set<String> unknown = new HashSet<>(spec.params().keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(spec.kind() + ": unknown parameter(s) " + new java.util.TreeSet<>(unknown)
                    + "; known: " + new java.util.TreeSet<>(known));
        }
    }

    private static int integer(AttackSpec spec, String key, int fallback) {
        String v = spec.params().get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.kind() + "." + key + " must be an integer, got '" + v + "'");
        }
    }

    private static double number(AttackSpec spec, String key, double fallback) {
        String v = spec.params().get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.kind() + "." + key + " must be a number, got '" + v + "'");
        }
    }
}
