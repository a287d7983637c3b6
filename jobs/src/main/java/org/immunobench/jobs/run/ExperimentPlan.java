package org.immunobench.jobs.run;

import org.immunobench.jobs.search.TrialPlan;
import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.training.attacks.AttackFactory;
import org.immunobench.training.attacks.AttackGrid;
import org.immunobench.training.attacks.AttackSpec;
import org.immunobench.training.attacks.ComplianceMeasure;
import org.immunobench.training.attacks.FinetuningDefences;
import org.immunobench.training.attacks.HarmfulRl;
import org.immunobench.training.attacks.ProviderData;
import org.immunobench.training.defences.Defences;
import org.immunobench.training.defences.Lox;
import org.immunobench.training.defences.NoDefence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An experiment expanded into its tasks, before any work: every checkpoint path resolved and checked, every defence
 * config bound and every attack spec built once (so a bad key fails here, named by its path, not an hour into the
 * run), and deterministic ids for every task. Pure apart from reading the parents' file listings.
 *
 * @param runId hash of the resolved config (independent of the output directory)
 * @param immunise one task per parent × defence × config point × seed, in file order
 * @param attacks one task per checkpoint × attack entry × grid point × seed, trainability last; entries with a
 *     fine-tuning-stage defence only on the undefended checkpoints
 * @param searches one per checkpoint × attack entry with a {@code search} block, in checkpoint then entry order
 */
public record ExperimentPlan(String runId, List<ImmuniseTask> immunise, List<AttackTask> attacks,
        Map<String, Object> resolved, List<SearchPlan> searches) {

    /** {@code world:aligned} and {@code world:base}: the toy world's models. */
    public static final String WORLD_PREFIX = "world:";

    public static ExperimentPlan of(ExperimentConfig c, Path worldDir, Path runDir, int threads) {
        return of(c, worldDir, runDir, threads, ComputeDtype.F32);
    }

    /**
     * The plan with its models run in {@code dtype}. A reduced dtype changes results, so it becomes part of the
     * resolved config (and hence of the run id); f32 leaves both as they were.
     */
    public static ExperimentPlan of(ExperimentConfig c, Path worldDir, Path runDir, int threads, ComputeDtype dtype) {
        // Attack and defence data come from the toy world until corpus data sources land (docs/experiment-config.md).
        if (worldDir == null) {
            throw new IllegalArgumentException("world: no world directory is set; set world: in the config or pass"
                    + " --world (attack, defence and evaluation data come from the toy world)");
        }
        Map<String, Object> resolved = resolvedConfig(c, worldDir);
        if (dtype != ComputeDtype.F32) {
            resolved = new java.util.LinkedHashMap<>(resolved);
            resolved.put("dtype", dtype.label());
        }
        String runId = Ids.of("run", ConfigBinder.canonicalJson(withoutWorldPath(resolved)));
        List<ImmuniseTask> immunise = new ArrayList<>();
        List<AttackTask> attacks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int p = 0; p < c.parents().size(); p++) {
            ExperimentConfig.Parent parent = c.parents().get(p);
            String at = "parents[" + p + "]";
            if (!names.add(parent.name())) {
                throw new IllegalArgumentException(at + ".name '" + parent.name() + "' is used twice");
            }
            Path parentDir = checkpoint(parent.checkpoint(), worldDir, at + ".checkpoint");
            Path referenceDir = parent.reference() == null ? null
                    : checkpoint(parent.reference(), worldDir, at + ".reference");
            String parentId = Ids.ofCheckpoint(parentDir);
            for (DefencePoint d : defencePoints(c)) {
                String checkpointId = Ids.of("checkpoint", parentId, d.name(), d.configJson(), Long.toString(d.seed()));
                Path dir = runDir.resolve(RunLayout.CHECKPOINTS).resolve(checkpointId);
                immunise.add(new ImmuniseTask(runId, checkpointId, parent.name(), parentId, parentDir.toString(),
                        referenceDir == null ? null : referenceDir.toString(), d.name(), d.configJson(), d.seed(),
                        dir.toString(), worldDir.toString(), threads, dtype));
            }
        }
        List<PlannedEntry> entries = plannedEntries(c);
        Map<Integer, List<TrialPlan.Trial>> searchTrials = searchTrials(c);
        List<SearchPlan> searches = new ArrayList<>();
        for (ImmuniseTask ck : immunise) {
            for (Map.Entry<Integer, List<TrialPlan.Trial>> st : searchTrials.entrySet()) {
                searches.add(search(c, runId, ck, st.getKey(), st.getValue(), threads));
            }
        }
        for (ImmuniseTask ck : immunise) {
            for (PlannedEntry p : entries) {
                ExperimentConfig.AttackEntry e = p.entry();
                if (p.finetuningDefence() != null && !ck.defence().equals(NoDefence.NAME)) {
                    continue; // the provider fine-tunes the model it serves: the undefended parent
                }
                for (AttackSpec spec : p.specs()) {
                    String taskId = p.finetuningDefence() == null ? Ids.of("attack", ck.taskId(), spec.id(), e.split())
                            : Ids.of("attack", ck.taskId(), spec.id(), e.split(), "finetuning_defence",
                                    p.finetuningDefence(), p.finetuningConfigJson());
                    attacks.add(new AttackTask(runId, taskId, ck.taskId(), ck.checkpointDir(), ck.parentId(),
                            ck.defence(), spec, e.split(), e.pillar(), e.evalSteps(), ck.worldDir(), c.evaluation(),
                            threads, ck.parentPath(), ck.referencePath(), subspaceRank(ck), p.finetuningDefence(),
                            p.finetuningConfigJson(), dtype));
                }
            }
        }
        return new ExperimentPlan(runId, List.copyOf(immunise), List.copyOf(attacks), resolved,
                List.copyOf(searches));
    }

    /**
     * The trials of every entry with a {@code search} block, by entry index, each trial's attack built once so that a
     * bad space fails now, named by its key. Searches measure harm on the entry's split, so trainability and
     * benign_train entries cannot have one; nor can an entry with a fine-tuning-stage defence (its track ranks
     * provider-side defences, not attacker budgets). The leaderboard's bounded_epsilon must be one of the budgets
     * the searches report.
     */
    static Map<Integer, List<TrialPlan.Trial>> searchTrials(ExperimentConfig c) {
        Map<Integer, List<TrialPlan.Trial>> out = new TreeMap<>();
        if (c.trainability() != null && c.trainability().search() != null) {
            throw new IllegalArgumentException("trainability.search: not allowed; a search looks for the most harmful"
                    + " attack, trainability measures benign fine-tuning");
        }
        Set<Double> budgets = new java.util.TreeSet<>();
        for (int a = 0; a < c.attacks().size(); a++) {
            ExperimentConfig.AttackEntry e = c.attacks().get(a);
            if (e.search() == null) {
                continue;
            }
            String at = "attacks[" + a + "].search";
            if (e.finetuningDefence() != null) {
                throw new IllegalArgumentException(at + ": not allowed with a finetuning_defence; search the plain"
                        + " attack in its own entry");
            }
            if (e.split().equals("benign_train")) {
                throw new IllegalArgumentException(at + ": not allowed on split benign_train; a search looks for the"
                        + " most harmful attack (split attack or heldout_domain)");
            }
            Map<String, String> fixed = new TreeMap<>();
            String paramsAt = "attacks[" + a + "].params.";
            e.params().forEach((k, v) -> fixed.put(k, scalar(v, paramsAt + k)));
            List<TrialPlan.Trial> trials = TrialPlan.of(e.kind(), fixed, e.grid().keySet(), e.search(), at);
            for (TrialPlan.Trial t : trials) {
                try {
                    AttackFactory.create(t.spec(e.kind()), NO_COMPLIANCE_CHECK);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(at + ": trial " + t.index() + " " + t.params() + ": "
                            + ex.getMessage(), ex);
                }
            }
            budgets.addAll(e.search().epsilons());
            out.put(a, trials);
        }
        double headline = c.leaderboard().headlineEpsilon();
        if (!budgets.isEmpty() && !budgets.contains(headline)) {
            throw new IllegalArgumentException("leaderboard.bounded_epsilon: " + headline + " is not among the"
                    + " searches' epsilons " + budgets + "; set it to one of them or add it to search.epsilons");
        }
        return out;
    }

    private static SearchPlan search(ExperimentConfig c, String runId, ImmuniseTask ck, int entry,
            List<TrialPlan.Trial> trials, int threads) {
        ExperimentConfig.AttackEntry e = c.attacks().get(entry);
        String searchId = Ids.of("search", ck.taskId(), e.kind(), e.split(),
                ConfigBinder.canonicalJson(new TreeMap<>(e.params())), ConfigBinder.canonicalJson(e.search()));
        List<AttackTask> tasks = new ArrayList<>();
        for (TrialPlan.Trial t : trials) {
            AttackSpec spec = t.spec(e.kind());
            // No reference model: R_ft is a grid figure; a trial need not load two more checkpoints.
            tasks.add(new AttackTask(runId, Ids.of("trial", searchId, Integer.toString(t.index())), ck.taskId(),
                    ck.checkpointDir(), ck.parentId(), ck.defence(), spec, e.split(), e.pillar(),
                    t.rungs().evalSteps(), ck.worldDir(), c.evaluation(), threads, ck.parentPath(), null,
                    subspaceRank(ck), null, null));
        }
        return new SearchPlan(searchId, ck.taskId(), "attacks[" + entry + "]", e.search(), trials, tasks);
    }

    /**
     * An attack entry checked and expanded: its specs and, for a fine-tuning-stage defence, its name and resolved
     * config (canonical JSON; both null for a plain attack).
     */
    record PlannedEntry(ExperimentConfig.AttackEntry entry, List<AttackSpec> specs,
            String finetuningDefence, String finetuningConfigJson) {
    }

    /**
     * The attack entries (trainability last), every spec built once. Fine-tuning-stage defences are checked here,
     * each error named by its key: the name and config keys; that the attack fine-tunes weights; one config per
     * defence across the file (the leaderboard has one row per defence and checkpoint, so two configs would be
     * aggregated as if they were attack settings); a plain entry of the same kind and split, whose rows are the
     * defence's baseline; and none under {@code trainability}, which measures every checkpoint.
     */
    static List<PlannedEntry> plannedEntries(ExperimentConfig c) {
        List<PlannedEntry> out = new ArrayList<>();
        Map<String, String[]> configs = new TreeMap<>(); // defence → {resolved config, where first given}
        List<ExperimentConfig.AttackEntry> all = new ArrayList<>(c.attacks());
        if (c.trainability() != null) {
            all.add(c.trainability());
        }
        for (int a = 0; a < all.size(); a++) {
            ExperimentConfig.AttackEntry e = all.get(a);
            String at = a < c.attacks().size() ? "attacks[" + a + "]" : "trainability";
            ExperimentConfig.FinetuningDefenceEntry fd = e.finetuningDefence();
            if (fd == null) {
                out.add(new PlannedEntry(e, attackSpecs(e, at), null, null));
                continue;
            }
            String fdAt = at + ".finetuning_defence";
            if (a >= c.attacks().size()) {
                throw new IllegalArgumentException(fdAt + ": not allowed here; trainability measures every checkpoint"
                        + " with plain benign fine-tuning. Measure benign fine-tuning under " + fd.name()
                        + " with an attacks entry {kind: benign_sft, split: benign_train, finetuning_defence: ...}");
            }
            String json = ConfigBinder.canonicalJson(FinetuningDefences.resolvedConfig(fd.name(), fd.config(),
                    fdAt + ".config"));
            // Built as the wrapper, which checks first that the attack fine-tunes, then the attack's parameters.
            List<AttackSpec> specs = expandSpecs(e, at);
            for (AttackSpec spec : specs) {
                try {
                    FinetuningDefences.create(fd.name(), fd.config(), spec, ProviderData.NONE, fdAt + ".config");
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(ex.getMessage().startsWith(fdAt) ? ex.getMessage()
                            : at + ": " + ex.getMessage(), ex);
                }
            }
            String[] first = configs.putIfAbsent(fd.name(), new String[] {json, fdAt});
            if (first != null && !first[0].equals(json)) {
                throw new IllegalArgumentException(fdAt + ".config: " + fd.name() + " is configured as " + json
                        + " here but as " + first[0] + " in " + first[1] + "; one run compares one config per"
                        + " fine-tuning-stage defence (its leaderboard row is per defence and checkpoint)");
            }
            boolean hasBaseline = all.stream().anyMatch(p -> p.finetuningDefence() == null
                    && p.kind().equals(e.kind()) && p.split().equals(e.split()));
            if (!hasBaseline) {
                throw new IllegalArgumentException(fdAt + ": its baseline, the plain attack on the same checkpoint, is"
                        + " missing; add an attacks (or trainability) entry with kind " + e.kind() + " and split "
                        + e.split()
                        + " and no finetuning_defence (best with the same params, grid, seeds and eval_steps)");
            }
            out.add(new PlannedEntry(e, specs, fd.name(), json));
        }
        return out;
    }

    /** k of R_ft for attacks on this checkpoint: its LoX rank, or LoX's default rank for other defences. */
    static int subspaceRank(ImmuniseTask ck) {
        if (ck.defence().equals(Lox.NAME)) {
            Object rank = ImmuniseRunner.parse(ck.configJson()).get("rank");
            if (rank instanceof Number n) {
                return n.intValue();
            }
        }
        return Lox.LoxConfig.DEFAULT_RANK;
    }

    /** A defence point: name, resolved config (canonical JSON) and seed. */
    record DefencePoint(String name, String configJson, long seed) {
    }

    static List<DefencePoint> defencePoints(ExperimentConfig c) {
        List<DefencePoint> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (c.defences().stream().noneMatch(d -> d.name().equals("none"))) {
            // The undefended parent: the baseline every stability and trainability delta is taken against.
            out.add(new DefencePoint("none", ConfigBinder.canonicalJson(
                    Defences.resolvedConfig("none", Map.of(), "defences(none)")), 0));
            seen.add(out.get(0).name() + out.get(0).configJson() + 0);
        }
        for (int i = 0; i < c.defences().size(); i++) {
            ExperimentConfig.DefenceEntry d = c.defences().get(i);
            String at = "defences[" + i + "]";
            for (Map<String, Object> point : gridPoints(d.config(), d.grid(), at)) {
                // none has no parameters and no randomness: one baseline per parent, whatever the seeds say.
                List<Long> seeds = d.name().equals("none") ? List.of(0L) : d.seeds();
                for (long seed : seeds) {
                    Map<String, Object> resolved = Defences.resolvedConfig(d.name(), point, at + ".config");
                    String json = ConfigBinder.canonicalJson(resolved);
                    if (seen.add(d.name() + json + seed)) {
                        out.add(new DefencePoint(d.name(), json, seed));
                    }
                }
            }
        }
        return out;
    }

    /** Fixed keys crossed with every combination of the grid's value lists (keys sorted, values in file order). */
    static List<Map<String, Object>> gridPoints(Map<String, Object> fixed, Map<String, List<Object>> grid, String at) {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new TreeMap<>(fixed));
        for (Map.Entry<String, List<Object>> g : new TreeMap<>(grid).entrySet()) {
            if (fixed.containsKey(g.getKey())) {
                throw new IllegalArgumentException(at + ".grid." + g.getKey() + " is also fixed in " + at
                        + "; give it in one place");
            }
            if (g.getValue() == null || g.getValue().isEmpty()) {
                throw new IllegalArgumentException(at + ".grid." + g.getKey() + " has no values");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> p : points) {
                for (Object v : g.getValue()) {
                    Map<String, Object> m = new TreeMap<>(p);
                    m.put(g.getKey(), v);
                    next.add(m);
                }
            }
            points = next;
        }
        return points;
    }

    /** Every attack spec of one entry, each built once so that bad parameters fail now, named by path. */
    static List<AttackSpec> attackSpecs(ExperimentConfig.AttackEntry e, String at) {
        List<AttackSpec> out = expandSpecs(e, at);
        for (AttackSpec spec : out) {
            try {
                AttackFactory.create(spec, NO_COMPLIANCE_CHECK);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    /** The grid points × seeds of one entry as attack specs, unchecked. */
    private static List<AttackSpec> expandSpecs(ExperimentConfig.AttackEntry e, String at) {
        List<AttackSpec> out = new ArrayList<>();
        for (Map<String, Object> point : gridPoints(e.params(), e.grid(), at)) {
            Map<String, List<String>> one = new LinkedHashMap<>();
            point.forEach((k, v) -> one.put(k, List.of(scalar(v, at + "." + k))));
            // Fine-tuning attacks (and harmful RL, which updates weights too) are measured at their eval steps;
            // forward-only attacks (refusal direction, ActAdd, misdirection) have one edit, measured before (step 0)
            // and after (step 1) whatever eval_steps says.
            if (AttackFactory.FINE_TUNING_KINDS.contains(e.kind()) || e.kind().equals(HarmfulRl.KIND)) {
                one.put("eval_steps", List.of(String.join(",", e.evalSteps().stream().map(String::valueOf)
                        .toList())));
            }
            out.addAll(AttackGrid.expand(Map.of(e.kind(), one), e.seeds()));
        }
        return out;
    }

    /** A placeholder judge so that building the attack checks {@code selection=compliance} without a model. */
    private static final ComplianceMeasure NO_COMPLIANCE_CHECK = (weights, interventions, prompts) -> Double.NaN;

    private static String scalar(Object v, String at) {
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(at + " must be a single value here (sweep values under grid:)");
        }
        if (v == null) {
            throw new IllegalArgumentException(at + " is null");
        }
        return String.valueOf(v);
    }

    static Path checkpoint(String ref, Path worldDir, String at) {
        Path dir;
        if (ref.startsWith(WORLD_PREFIX)) {
            String which = ref.substring(WORLD_PREFIX.length());
            if (!List.of("aligned", "base").contains(which)) {
                throw new IllegalArgumentException(at + " '" + ref + "': known world models are world:aligned and"
                        + " world:base");
            }
            if (worldDir == null) {
                throw new IllegalArgumentException(at + " '" + ref + "' needs a world directory: set world: in the"
                        + " config or pass --world");
            }
            dir = worldDir.resolve("models").resolve(which);
        } else {
            dir = Path.of(ref);
        }
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException(at + " '" + ref + "': no checkpoint at " + dir + " (config.json missing)"
                    + (ref.startsWith(WORLD_PREFIX) ? "; build the world's models with: immunobench world --out "
                    + worldDir : ""));
        }
        return dir;
    }

    private static Map<String, Object> resolvedConfig(ExperimentConfig c, Path worldDir) {
        Map<String, Object> m = new LinkedHashMap<>(ConfigBinder.toMap(c));
        m.put("world", worldDir.toString());
        List<Map<String, Object>> finetuning = new ArrayList<>();
        for (int a = 0; a < c.attacks().size(); a++) {
            ExperimentConfig.FinetuningDefenceEntry fd = c.attacks().get(a).finetuningDefence();
            if (fd != null) {
                String at = "attacks[" + a + "]";
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("attack", at);
                one.put("name", fd.name());
                one.put("resolved_config", FinetuningDefences.resolvedConfig(fd.name(), fd.config(),
                        at + ".finetuning_defence.config"));
                finetuning.add(one);
            }
        }
        if (!finetuning.isEmpty()) {
            // Only when there are any: the run ids of experiments without fine-tuning-stage defences stay as they were.
            m.put("finetuning_defence_points", finetuning);
        }
        List<Map<String, Object>> defences = new ArrayList<>();
        for (DefencePoint d : defencePoints(c)) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", d.name());
            one.put("resolved_config", ImmuniseRunner.parse(d.configJson()));
            one.put("seed", d.seed());
            defences.add(one);
        }
        m.put("defence_points", defences);
        return m;
    }

    private static Map<String, Object> withoutWorldPath(Map<String, Object> resolved) {
        Map<String, Object> m = new LinkedHashMap<>(resolved);
        m.remove("world");
        return m;
    }
}
