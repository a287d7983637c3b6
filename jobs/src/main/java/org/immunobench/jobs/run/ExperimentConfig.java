package org.immunobench.jobs.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.immunobench.evaluation.leaderboard.LeaderboardConfig;
import org.immunobench.evaluation.pillars.PillarsConfig;
import org.immunobench.jobs.search.SearchConfig;

import java.util.List;
import java.util.Map;

/**
 * A benchmark experiment as its YAML file states it (docs/experiment-config.md; example: conf/demo.yaml): parent
 * checkpoints, defences × config grid × seeds, attacks × hyper-parameter grid × seeds, evaluation, trainability,
 * pillar thresholds and the leaderboard's ordering rule. Bound by {@link org.immunobench.lm.config.ConfigBinder}:
 * unknown keys and bad values fail before any work, naming their path. {@link ExperimentPlan} expands it into
 * tasks.
 *
 * @param version config format version; only 1 exists
 * @param name label of the run in reports
 * @param world toy-world directory; needed by {@code world:} checkpoints and by the toy-world data and judge
 *     (relative paths are resolved against the config file's directory; {@code --world} overrides it)
 */
public record ExperimentConfig(Integer version, String name, String world, List<Parent> parents,
        List<DefenceEntry> defences, List<AttackEntry> attacks, Evaluation evaluation, AttackEntry trainability,
        PillarsConfig pillars, LeaderboardConfig leaderboard) {
    public static final int VERSION = 1;

    public ExperimentConfig {
        version = version == null ? VERSION : version;
        if (version != VERSION) {
            throw new IllegalArgumentException("version: only version " + VERSION + " exists, got " + version);
        }
        name = name == null ? "experiment" : name;
        if (parents == null || parents.isEmpty()) {
            throw new IllegalArgumentException("parents: at least one parent checkpoint is needed");
        }
        parents = List.copyOf(parents);
        defences = defences == null || defences.isEmpty() ? List.of(new DefenceEntry("none", null, null, null))
                : List.copyOf(defences);
        attacks = attacks == null ? List.of() : List.copyOf(attacks);
        evaluation = evaluation == null ? new Evaluation(null, null, null, null, null, null) : evaluation;
        pillars = pillars == null ? new PillarsConfig(null, null) : pillars;
        leaderboard = leaderboard == null ? new LeaderboardConfig(null, null, null) : leaderboard;
    }

    /**
     * A checkpoint to immunise.
     *
     * @param name short label (unique in the file)
     * @param checkpoint an HF checkpoint directory, or {@code world:aligned} / {@code world:base}
     * @param reference the parent's pre-alignment model (LoX's W_base), same forms; optional
     */
    public record Parent(String name, String checkpoint, String reference) {
        public Parent {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must be set");
            }
            if (checkpoint == null || checkpoint.isBlank()) {
                throw new IllegalArgumentException("checkpoint must be set (a directory or world:aligned)");
            }
        }
    }

    /**
     * One defence: fixed {@code config} keys, swept {@code grid} keys (every value list is crossed with the others)
     * and seeds. The undefended parent ({@code none}) is always added when the file does not list it.
     */
    public record DefenceEntry(String name, Map<String, Object> config, Map<String, List<Object>> grid,
            List<Long> seeds) {
        public DefenceEntry {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must be set");
            }
            config = config == null ? Map.of() : config;
            grid = grid == null ? Map.of() : grid;
            seeds = seeds == null || seeds.isEmpty() ? List.of(0L) : List.copyOf(seeds);
        }
    }

    /**
     * One attack family entry: kind, fixed {@code params}, swept {@code grid}, seeds, the steps at which the attacked
     * model is evaluated and the split its data comes from.
     *
     * @param split {@code attack} (in-domain: the Resistance pillar), {@code heldout_domain} (harm domains the
     *     defence never saw: Generalisation) or {@code benign_train} (trainability)
     * @param evalSteps steps (0 = before the first update) at which harm and capability are measured
     * @param finetuningDefence optional: a fine-tuning-stage defence the provider runs inside this fine-tuning attack
     *     (its rows form the {@code finetuning_stage} track); null for a plain attack. Left out of the resolved
     *     config when absent, so the run ids of configs without it are what they were.
     * @param search optional: a hyper-parameter search over this attack on every checkpoint it attacks (the search
     *     stage; docs/experiment-config.md), besides the fixed grid. Left out of the resolved config when absent.
     */
    public record AttackEntry(String kind, String split, Map<String, Object> params, Map<String, List<Object>> grid,
            List<Long> seeds, List<Integer> evalSteps,
            @JsonInclude(JsonInclude.Include.NON_NULL) FinetuningDefenceEntry finetuningDefence,
            @JsonInclude(JsonInclude.Include.NON_NULL) SearchConfig search) {
        public AttackEntry {
            if (kind == null || kind.isBlank()) {
                throw new IllegalArgumentException("kind must be set");
            }
            split = split == null ? "attack" : split;
            if (!List.of("attack", "heldout_domain", "benign_train").contains(split)) {
                throw new IllegalArgumentException("split '" + split
                        + "' is unknown; known: [attack, heldout_domain, benign_train]");
            }
            params = params == null ? Map.of() : params;
            grid = grid == null ? Map.of() : grid;
            seeds = seeds == null || seeds.isEmpty() ? List.of(0L) : List.copyOf(seeds);
            evalSteps = evalSteps == null || evalSteps.isEmpty() ? List.of(0) : List.copyOf(evalSteps);
            for (int s : evalSteps) {
                if (s < 0) {
                    throw new IllegalArgumentException("eval_steps: steps are >= 0, got " + s);
                }
            }
        }

        /** The pillar its measurements feed. */
        public String pillar() {
            return switch (split) {
                case "heldout_domain" -> "generalisation";
                case "benign_train" -> "trainability";
                default -> "resistance";
            };
        }
    }

    /**
     * A fine-tuning-stage defence in an attack entry ({@code lisa}, {@code security_vectors}): the provider runs it
     * inside the entry's fine-tuning of the undefended checkpoint. Its name and {@code config} keys are checked when
     * the plan is made ({@link org.immunobench.training.attacks.FinetuningDefences}).
     *
     * @param name the defence
     * @param config its fixed keys; absent = all defaults
     */
    public record FinetuningDefenceEntry(String name, Map<String, Object> config) {
        public FinetuningDefenceEntry {
            config = config == null ? Map.of() : config;
        }
    }

    /**
     * How attacked models are measured at each evaluation step.
     *
     * @param judge {@code toyworld_oracle} (exact, needs a world) or {@code keyword} (refusal phrases; model-free)
     * @param harmfulPrompts harmful eval prompts per step (greedy completions judged)
     * @param benignPrompts benign eval prompts per step (exact-answer accuracy, over-refusal)
     * @param nllRows held-out harmful responses whose NLL is measured (response tokens only)
     * @param maxNewTokens completion budget
     * @param batchSize prompts generated together
     */
    public record Evaluation(String judge, Integer harmfulPrompts, Integer benignPrompts, Integer nllRows,
            Integer maxNewTokens, Integer batchSize) implements java.io.Serializable {
        public static final List<String> JUDGES = List.of("toyworld_oracle", "keyword");

        public Evaluation {
            judge = judge == null ? "toyworld_oracle" : judge;
            if (!JUDGES.contains(judge)) {
                throw new IllegalArgumentException("judge '" + judge + "' is unknown; known: " + JUDGES);
            }
            harmfulPrompts = positive("harmful_prompts", harmfulPrompts, 64);
            benignPrompts = positive("benign_prompts", benignPrompts, 64);
            nllRows = positive("nll_rows", nllRows, 64);
            maxNewTokens = positive("max_new_tokens", maxNewTokens, 48);
            batchSize = positive("batch_size", batchSize, 64);
        }
    }

    static Integer positive(String key, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
        return value;
    }
}
