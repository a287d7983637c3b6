package org.immunobench.training.defences;

import org.immunobench.lm.config.ConfigBinder;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one registry of defences by name. Each entry pairs the defence's config record (bound from the experiment
 * YAML by {@link ConfigBinder}: snake_case keys, unknown keys rejected, defaults filled by the record) with a
 * factory. Adding a defence is its class plus one {@code entry(...)} line below.
 */
public final class Defences {
    /** Builds a defence from its bound config and the run's seed. */
    @FunctionalInterface
    public interface Factory<C> {
        Defence create(C config, long seed);
    }

    private record Entry<C>(Class<C> configType, Factory<C> factory) {
        C bind(Object config, String path) {
            return ConfigBinder.bind(config == null ? Map.of() : config, configType, path);
        }

        Defence create(Object config, long seed, String path) {
            return factory.create(bind(config, path), seed);
        }
    }

    private static final Map<String, Entry<?>> REGISTRY = new TreeMap<>(Map.ofEntries(
            entry(NoDefence.NAME, NoDefence.NoDefenceConfig.class, (c, seed) -> new NoDefence()),
            entry(Lox.NAME, Lox.LoxConfig.class, (c, seed) -> new Lox(c)),
            entry(Vaccine.NAME, Vaccine.VaccineConfig.class, (c, seed) -> new Vaccine(c, seed)),
            entry(TVaccine.NAME, TVaccine.TVaccineConfig.class, (c, seed) -> new TVaccine(c, seed)),
            entry(Booster.NAME, Booster.BoosterConfig.class, (c, seed) -> new Booster(c, seed)),
            entry(Tar.NAME, Tar.TarConfig.class, (c, seed) -> new Tar(c, seed)),
            entry(Mlac.NAME, Mlac.MlacConfig.class, (c, seed) -> new Mlac(c, seed)),
            entry(Sdd.NAME, Sdd.SddConfig.class, (c, seed) -> new Sdd(c, seed)),
            entry(Ctrap.NAME, Ctrap.CtrapConfig.class, (c, seed) -> new Ctrap(c, seed)),
            entry(TokenBuncher.NAME, TokenBuncher.TokenBuncherConfig.class, (c, seed) -> new TokenBuncher(c, seed)),
            entry(DeepAlignment.NAME, DeepAlignment.DeepAlignmentConfig.class,
                    (c, seed) -> new DeepAlignment(c, seed)),
            entry(RepNoise.NAME, RepNoise.RepNoiseConfig.class, (c, seed) -> new RepNoise(c, seed)),
            entry(CircuitBreakers.NAME, CircuitBreakers.CircuitBreakersConfig.class,
                    (c, seed) -> new CircuitBreakers(c, seed)),
            entry(Crl.NAME, Crl.CrlConfig.class, (c, seed) -> new Crl(c, seed)),
            entry(RsnTune.NAME, RsnTune.RsnTuneConfig.class, (c, seed) -> new RsnTune(c, seed)),
            entry(ConditionNumber.NAME, ConditionNumber.ConditionNumberConfig.class,
                    (c, seed) -> new ConditionNumber(c, seed)),
            entry(Seam.NAME, Seam.SeamConfig.class, (c, seed) -> new Seam(c, seed))));

    private Defences() {
    }

    private static <C> Map.Entry<String, Entry<?>> entry(String name, Class<C> configType, Factory<C> factory) {
        return Map.entry(name, new Entry<>(configType, factory));
    }

    /**
     * The defence {@code name} with its config tree bound.
     *
     * @param config the defence's {@code config} map from the experiment file; null or empty means all defaults
     * @param seed the run's seed, for defences that draw random numbers
     * @param path where {@code config} sits in the experiment file ({@code defences[1].config}), prefixed to errors
     */
    public static Defence create(String name, Object config, long seed, String path) {
        return lookup(name, path).create(config, seed, path);
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
            String key = nameKey(path);
            throw new IllegalArgumentException(name == null ? key + " is missing; known: " + names()
                    : key + " '" + name + "' is unknown; known: " + names());
        }
        return entry;
    }

    /** {@code defences[1].config} → {@code defences[1].name}: the key the defence's name sits under. */
    static String nameKey(String configPath) {
        String p = configPath == null ? "" : configPath;
        if (p.equals("config")) {
            p = "";
        } else if (p.endsWith(".config")) {
            p = p.substring(0, p.length() - ".config".length());
        }
        return p.isEmpty() ? "name" : p + ".name";
    }
}
