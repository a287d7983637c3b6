package org.immunobench.jobs.landscape;

import org.immunobench.training.attacks.AttackFactory;
import org.immunobench.training.attacks.AttackSpec;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One axis of a landscape: a direction in weight space from the origin checkpoint (docs/methods.md, "Landscapes").
 * From the {@code --axis} spec:
 * <ul>
 *   <li>{@code random}: a filter-normalised Gaussian direction (Li et al. 2018), seeded;</li>
 *   <li>a checkpoint ({@code DIR}, {@code world:aligned}, {@code world:base}): that checkpoint minus the origin, so
 *       coordinate 1 is the checkpoint itself;</li>
 *   <li>{@code attack:KIND[,key=value…]}: the origin fine-tuned by a fine-tuning attack of the toy world
 *       ({@code harmful_sft}, {@code harmful_lora}, {@code benign_sft}, with {@code AttackFactory}'s parameters), saved
 *       as a checkpoint under the output directory; then as a checkpoint axis. This is the aligned → attacked
 *       interpolation when the origin is the aligned model.</li>
 * </ul>
 *
 * @param spec the {@code --axis} text as given
 * @param kind {@code random}, {@code checkpoint} or {@code attack}
 * @param checkpointDir the checkpoint whose difference to the origin is the direction (for {@code attack}: where the
 *     attacked model is saved); null for {@code random}
 * @param attack the attack of an {@code attack} axis, else null
 * @param seed the random direction's or the attack's seed
 */
public record LandscapeAxis(String spec, String kind, String checkpointDir, AttackSpec attack, long seed)
        implements Serializable {
    public static final String RANDOM = "random";
    public static final String CHECKPOINT = "checkpoint";
    public static final String ATTACK = "attack";

    /**
     * @param index 1 or 2: the axis number, which varies the seed (two random axes must differ) and names the
     *     attacked checkpoint
     * @param attackedDir where an {@code attack} axis saves its model
     */
    public static LandscapeAxis parse(String spec, Path worldDir, long seed, int index, Path attackedDir) {
        long axisSeed = seed + 1_000_003L * (index - 1);
        if (spec.equals(RANDOM)) {
            return new LandscapeAxis(spec, RANDOM, null, null, axisSeed);
        }
        if (spec.startsWith(ATTACK + ":")) {
            String[] parts = spec.substring(ATTACK.length() + 1).split(",");
            String kind = parts[0].strip();
            if (!AttackFactory.FINE_TUNING_KINDS.contains(kind)) {
                throw new IllegalArgumentException("--axis " + spec + ": attack kind '" + kind + "' does not fine-tune"
                        + " weights; known: " + AttackFactory.FINE_TUNING_KINDS);
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                int eq = p.indexOf('=');
                if (eq <= 0 || eq == p.length() - 1) {
                    throw new IllegalArgumentException("--axis " + spec + ": '" + p + "' is not key=value");
                }
                params.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
            }
            AttackSpec attack = new AttackSpec(kind, params, seed);
            try {
                AttackFactory.create(attack); // checks every parameter now, not after the other axis has run
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--axis " + spec + ": " + e.getMessage(), e);
            }
            return new LandscapeAxis(spec, ATTACK, attackedDir.toAbsolutePath().normalize().toString(), attack, seed);
        }
        return new LandscapeAxis(spec, CHECKPOINT, checkpoint(spec, worldDir, "--axis").toString(), null, axisSeed);
    }

    /** A checkpoint directory, or {@code world:aligned} / {@code world:base} of the toy world. */
    public static Path checkpoint(String ref, Path worldDir, String option) {
        Path dir;
        if (ref.startsWith("world:")) {
            String which = ref.substring("world:".length());
            if (!List.of("aligned", "base").contains(which)) {
                throw new IllegalArgumentException(option + " " + ref + ": known world models are world:aligned and"
                        + " world:base");
            }
            dir = worldDir.resolve("models").resolve(which);
        } else {
            dir = Path.of(ref);
        }
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException(option + " " + ref + ": no checkpoint at " + dir
                    + " (config.json missing)");
        }
        return dir;
    }

    /** A short name for axes and marks; {@link #spec} has the details. */
    public String label() {
        return switch (kind) {
            case RANDOM -> "random (seed " + seed + ")";
            case ATTACK -> "attacked";
            default -> spec.startsWith("world:") ? spec.substring("world:".length())
                    : Path.of(checkpointDir).getFileName().toString();
        };
    }

    /** Whether coordinate 1 along this axis is a model (a checkpoint or the attacked model). */
    public boolean endsAtModel() {
        return !kind.equals(RANDOM);
    }
}
