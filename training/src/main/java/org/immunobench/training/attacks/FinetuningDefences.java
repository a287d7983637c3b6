package org.immunobench.training.attacks;

import org.immunobench.lm.config.ConfigBinder;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of fine-tuning-stage defences by name. Unlike the open-weight defences of
 * {@code org.immunobench.training.defences}, which edit the weights once before release, these assume the provider
 * runs the user's fine-tuning (Lisa 2405.18641, Security Vectors 2311.02105): each wraps a fine-tuning attack
 * ({@link AttackFactory#FINE_TUNING_KINDS}) and runs inside it, with the attack's hyper-parameters and data and the
 * provider's own data ({@link ProviderData}). Their results form the leaderboard's separate {@code finetuning_stage}
 * track. Each entry pairs the defence's config record (bound by {@link ConfigBinder}: snake_case keys, unknown keys
 * rejected, defaults filled by the record) with a factory; adding one is its class plus one {@code entry(...)} line.
 */
public final class FinetuningDefences {
    /** Builds the wrapped attack from the bound config, the attack's kind and fine-tuning, and the provider's data. */
    @FunctionalInterface
    public interface Factory<C> {
        Attack create(String kind, C config, HarmfulSftConfig attack, ProviderData provider);
    }

    private record Entry<C>(Class<C> configType, Factory<C> factory) {
        C bind(Object config, String path) {
            return ConfigBinder.bind(config == null ? Map.of() : config, configType, path);
        }

        Attack create(Object config, String kind, HarmfulSftConfig attack, ProviderData provider, String path) {
            return factory.create(kind, bind(config, path), attack, provider);
        }
    }

    private static final Map<String, Entry<?>> REGISTRY = new TreeMap<>(Map.ofEntries(
            entry(Lisa.NAME, Lisa.LisaConfig.class, Lisa::new),
            entry(SecurityVectors.NAME, SecurityVectors.SecurityVectorsConfig.class, SecurityVectors::new)));

    private FinetuningDefences() {
    }

    private static <C> Map.Entry<String, Entry<?>> entry(String name, Class<C> configType, Factory<C> factory) {
        return Map.entry(name, new Entry<>(configType, factory));
    }

    /**
     * The defence {@code name} wrapped around the fine-tuning attack {@code attack}.
     *
     * @param config the defence's {@code config} map from the experiment file; null or empty means all defaults
     * @param provider the provider's data ({@link ProviderData#NONE} to check a configuration without running it)
     * @param path where {@code config} sits in the experiment file ({@code attacks[1].finetuning_defence.config}),
     *     prefixed to errors; a bad name is reported at the sibling {@code name} key
     * @throws IllegalArgumentException for an unknown name, a bad config key or value, an attack that does not
     *     fine-tune weights, or a bad attack parameter
     */
    public static Attack create(String name, Object config, AttackSpec attack, ProviderData provider, String path) {
        Entry<?> entry = lookup(name, path);
        if (!AttackFactory.FINE_TUNING_KINDS.contains(attack.kind())) {
            throw new IllegalArgumentException(parent(path) + ": " + name + " runs inside a fine-tuning attack "
                    + AttackFactory.FINE_TUNING_KINDS + ", not " + attack.kind());
        }
        entry.bind(config, path); // the defence's own errors first, then the attack's
        return entry.create(config, attack.kind(), AttackFactory.fineTuningConfig(attack), provider, path);
    }

    /** Registered names, sorted. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The bound config of {@code name} as plain maps and scalars, every default filled in (the resolved config). */
    public static Map<String, Object> resolvedConfig(String name, Object config, String path) {
        return ConfigBinder.toMap(lookup(name, path).bind(config, path));
    }

    private static Entry<?> lookup(String name, String path) {
        Entry<?> entry = name == null ? null : REGISTRY.get(name);
        if (entry == null) {
            String key = parent(path).isEmpty() ? "name" : parent(path) + ".name";
            throw new IllegalArgumentException(name == null ? key + " is missing; known: " + names()
                    : key + " '" + name + "' is unknown; known: " + names());
        }
        return entry;
    }

    /** {@code attacks[1].finetuning_defence.config} → {@code attacks[1].finetuning_defence}. */
    private static String parent(String configPath) {
        String p = configPath == null ? "" : configPath;
        if (p.equals("config")) {
            return "";
        }
        return p.endsWith(".config") ? p.substring(0, p.length() - ".config".length()) : p;
    }
}
