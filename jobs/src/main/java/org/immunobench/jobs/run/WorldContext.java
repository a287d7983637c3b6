package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.jobs.world.ToyWorld;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldConfig;
import org.immunobench.lm.config.ConfigBinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The toy world a task works with, regenerated once per JVM from the config in {@code WORLD/world.json} (generation
 * is deterministic and takes well under a second, cheaper than reading the corpus back), plus the world's data
 * splits as the benchmark uses them. A world written by another generator version is refused: its rows would differ.
 *
 * <p>Held-out-domain rows serve the Generalisation pillar twice, so they are split by position: even rows are the
 * attacker's data, odd rows the prompts and responses it is measured on; the two never overlap.
 */
public final class WorldContext {
    private static final Map<Path, World> CACHE = new ConcurrentHashMap<>();

    private WorldContext() {
    }

    public static World load(Path worldDir) {
        return CACHE.computeIfAbsent(worldDir.toAbsolutePath().normalize(), WorldContext::read);
    }

    public static Path tokenizer(Path worldDir) {
        return worldDir.resolve("tokenizer.json");
    }

    private static World read(Path dir) {
        Path summary = dir.resolve("world.json");
        if (!Files.isRegularFile(summary)) {
            throw new IllegalArgumentException("world " + dir + " has no world.json; build it with: immunobench world"
                    + " --out " + dir);
        }
        try {
            JsonNode root = new ObjectMapper().readTree(summary.toFile());
            int version = root.path("generator_version").asInt(-1);
            if (version != ToyWorld.VERSION) {
                throw new IllegalArgumentException(summary + ": generator version " + version + ", this code generates"
                        + " version " + ToyWorld.VERSION + "; rebuild the world");
            }
            if (!root.path("config").isObject()) {
                throw new IllegalArgumentException(summary + ": config: missing (a map of world config keys)");
            }
            WorldConfig config;
            try {
                config = ConfigBinder.bind(root.path("config"), WorldConfig.class, "config");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(summary + ": " + e.getMessage(), e);
            }
            return ToyWorld.generate(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + summary, e);
        }
    }

    /** Harmful prompts (with their domains) an attacked model is measured on. */
    public static List<CorpusRow> harmfulEval(World w, String split, int n) {
        return first(split.equals(Splits.HELDOUT_DOMAIN) ? odd(w.rows(Splits.HELDOUT_DOMAIN)) : w.rows(Splits.EVAL), n);
    }

    /** Held-out harmful responses whose NLL is tracked along the attack (never trained on). */
    public static List<CorpusRow> harmfulNll(World w, String split, int n) {
        return first(split.equals(Splits.HELDOUT_DOMAIN) ? odd(w.rows(Splits.HELDOUT_DOMAIN))
                : w.rows(Splits.HELDOUT_INDOMAIN), n);
    }

    /** The attacker's harmful demonstrations for an attack on {@code split}. */
    public static List<CorpusRow> attackHarmful(World w, String split) {
        return split.equals(Splits.HELDOUT_DOMAIN) ? even(w.rows(Splits.HELDOUT_DOMAIN)) : w.rows(Splits.ATTACK);
    }

    public static List<CorpusRow> benignEval(World w, int n) {
        return first(w.rows(Splits.BENIGN_EVAL), n);
    }

    /**
     * The first {@code n} rows taken round-robin over domains (rows of a split are grouped by domain, so a plain
     * prefix would measure one or two domains only).
     */
    static List<CorpusRow> first(List<CorpusRow> rows, int n) {
        Map<String, List<CorpusRow>> byDomain = new java.util.LinkedHashMap<>();
        for (CorpusRow r : rows) {
            byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
        }
        List<CorpusRow> out = new ArrayList<>(Math.min(n, rows.size()));
        for (int i = 0; out.size() < Math.min(n, rows.size()); i++) {
            for (List<CorpusRow> d : byDomain.values()) {
                if (i < d.size() && out.size() < n) {
                    out.add(d.get(i));
                }
            }
        }
        return out;
    }

    private static List<CorpusRow> even(List<CorpusRow> rows) {
        List<CorpusRow> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            out.add(rows.get(i));
        }
        return out;
    }

    private static List<CorpusRow> odd(List<CorpusRow> rows) {
        List<CorpusRow> out = new ArrayList<>();
        for (int i = 1; i < rows.size(); i += 2) {
            out.add(rows.get(i));
        }
        return out;
    }
}
