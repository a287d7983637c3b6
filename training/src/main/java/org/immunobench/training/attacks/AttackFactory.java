package org.immunobench.training.attacks;

import org.immunobench.lm.config.ConfigBinder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one registry of attacks by kind. Each entry pairs the kind's parameter record (bound by
 * {@link ConfigBinder#bindStrings} from the spec's string parameters: snake_case keys, unknown keys rejected with
 * the allowed list, checks in the record) with a factory. Adding an attack is its class, its parameter record and one {@code entry(...)} line below.
 *
 * <p>Kinds: {@code harmful_sft}, {@code harmful_lora}, {@code benign_sft} ({@link SftAttackParams}),
 * {@code refusal_direction} (mode ablation | orthogonalise) and {@code actadd} ({@link DirectionAttackParams}),
 * {@code harmful_rl} ({@link HarmfulRlParams}) and {@code misdirection} ({@link MisdirectionParams}).
 * Errors start with the kind, e.g. {@code harmful_sft.lr: expected a number, got 'fast'}.
 */
public final class AttackFactory {
    /** Builds an attack from its bound parameters, its spec (kind, seed) and the run's judge of compliance. */
    @FunctionalInterface
    public interface Factory<P> {
        Attack create(P params, AttackSpec spec, ComplianceMeasure compliance);
    }

    private record Entry<P>(Class<P> paramsType, Factory<P> factory) {
        P bind(AttackSpec spec) {
            return ConfigBinder.bindStrings(spec.params(), paramsType, spec.kind());
        }
    }

    private static final Map<String, Entry<?>> REGISTRY = new LinkedHashMap<>();

    static {
        entry("harmful_sft", SftAttackParams.class, (p, s, c) -> new HarmfulSft(sft(p, s)));
        entry("harmful_lora", SftAttackParams.class, (p, s, c) -> new HarmfulSft(sft(p, s)));
        entry("benign_sft", SftAttackParams.class, (p, s, c) -> new BenignSft(sft(p, s)));
        entry("refusal_direction", DirectionAttackParams.class, AttackFactory::direction);
        entry("actadd", DirectionAttackParams.class, AttackFactory::direction);
        entry(HarmfulRl.KIND, HarmfulRlParams.class, (p, s, c) -> new HarmfulRl(p, s.seed()));
        entry(Misdirection.KIND, MisdirectionParams.class, (p, s, c) -> new Misdirection(p));
    }

    public static final List<String> SELECTIONS = DirectionAttackParams.SELECTIONS;
    /** Registered kinds, in registration order. */
    public static final List<String> KINDS = List.copyOf(REGISTRY.keySet());
    /** The kinds that fine-tune weights: the ones a fine-tuning-stage defence ({@link FinetuningDefences}) wraps. */
    public static final List<String> FINE_TUNING_KINDS = List.of("harmful_sft", "harmful_lora", "benign_sft");

    private AttackFactory() {
    }

    private static <P> void entry(String kind, Class<P> paramsType, Factory<P> factory) {
        REGISTRY.put(kind, new Entry<>(paramsType, factory));
    }

    public static Attack create(AttackSpec spec) {
        return create(spec, null);
    }

    /**
     * @param compliance judge of induced compliance for {@code selection=compliance}; may be null when no spec asks
     *     for it
     */
    public static Attack create(AttackSpec spec, ComplianceMeasure compliance) {
        return build(lookup(spec.kind()), spec, compliance);
    }

    private static <P> Attack build(Entry<P> entry, AttackSpec spec, ComplianceMeasure compliance) {
        return entry.factory().create(entry.bind(spec), spec, compliance);
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
        return sft((SftAttackParams) lookup(spec.kind()).bind(spec), spec);
    }

    private static Entry<?> lookup(String kind) {
        Entry<?> entry = REGISTRY.get(kind);
        if (entry == null) {
            throw new IllegalArgumentException("attack.kind '" + kind + "' is unknown; known: " + KINDS);
        }
        return entry;
    }

    private static HarmfulSftConfig sft(SftAttackParams params, AttackSpec spec) {
        return params.toConfig(spec.kind(), spec.seed());
    }

    private static Attack direction(DirectionAttackParams params, AttackSpec spec, ComplianceMeasure compliance) {
        if (params.byCompliance() && compliance == null) {
            throw new IllegalArgumentException(spec.kind() + ".selection=compliance needs a judge of"
                    + " completions, and none was given for this run; use selection=refusal_score");
        }
        return new RefusalDirectionAttack(params.toConfig(spec.kind()), params.byCompliance() ? compliance : null);
    }
}
