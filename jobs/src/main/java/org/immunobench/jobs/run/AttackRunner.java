package org.immunobench.jobs.run;

import ai.djl.Device;
import org.immunobench.evaluation.judge.Judge;
import org.immunobench.evaluation.judge.JudgedReward;
import org.immunobench.evaluation.judge.KeywordJudge;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.world.ToyWorldCompliance;
import org.immunobench.jobs.world.ToyWorldJudge;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldAttackData;
import org.immunobench.jobs.world.WorldModels;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.prompt.PromptFrame;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.Attack;
import org.immunobench.training.attacks.AttackData;
import org.immunobench.training.attacks.AttackFactory;
import org.immunobench.training.attacks.AttackProbe;
import org.immunobench.training.attacks.AttackResult;
import org.immunobench.training.attacks.FinetuningDefences;
import org.immunobench.training.attacks.Misdirection;
import org.immunobench.training.attacks.ProviderData;
import org.immunobench.training.defences.DefenceData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs one {@link AttackTask} on an executor: loads the checkpoint, attacks it with the toy world's attacker data
 * for the task's split, measures the model at every evaluation step ({@link ModelProbe}) and commits the metric and
 * generation rows.
 *
 * <p>A task with a fine-tuning-stage defence runs that defence wrapped around the attack's fine-tuning, with the
 * provider's data ({@link #providerData}); its rows carry that defence and track {@code finetuning_stage}.
 *
 * <p>Step 0 is always the checkpoint as released. Fine-tuning attacks measure at their eval steps through the
 * trainer's callback; forward-only attacks (refusal direction, ActAdd) make one edit, whose result is recorded as
 * step 1.
 */
final class AttackRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AttackRunner.class);
    private static final Set<String> FORWARD_ONLY = Set.of("refusal_direction", "actadd", Misdirection.KIND);
    static final int EOS = 3;

    private AttackRunner() {
    }

    static TaskOutcome run(AttackTask t, TaskStore store, Device device) {
        return run(t, store, device, null);
    }

    /**
     * @param trial the stopping decisions of a search trial ({@link TrialRunner}), consulted after every measurement
     *     and able to end the attack there; null for a grid task. A trial also commits its {@code trial.jsonl} row.
     */
    static TaskOutcome run(AttackTask t, TaskStore store, Device device, TrialHook trial) {
        long t0 = System.nanoTime();
        DjlRuntime.start(t.threads());
        Path worldDir = Path.of(t.worldDir());
        World world = WorldContext.load(worldDir);
        try (TaskStore.Pending pending = store.begin(t.taskId());
                LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(worldDir));
                LlamaWeights weights = ImmuniseRunner.load(Path.of(t.checkpointDir()), device, t.dtype())) {
            Judge judge = t.evaluation().judge().equals("keyword") ? KeywordJudge.defaults()
                    : new ToyWorldJudge(world.oracle());
            ModelProbe probe = new ModelProbe(t, world, tokenizer, judge, EOS, CodeVersion.describe());
            try (LlamaWeights parent = ImmuniseRunner.load(Path.of(t.parentDir()), device, t.dtype())) {
                probe.prepare(weights, parent);
            }
            // The attacker's reward model for harmful RL is the run's judge (the toy world's oracle by default).
            AttackData data = attackData(world, tokenizer, t.split()).withReward(new JudgedReward(judge, tokenizer,
                    prompt -> world.oracle().domainOfPrompt(prompt).orElse("")));
            Attack attack = t.finetuningDefence() == null
                    ? AttackFactory.create(t.attack(), ToyWorldCompliance.of(world.oracle(), tokenizer, EOS))
                    : FinetuningDefences.create(t.finetuningDefence(), ImmuniseRunner.parse(t.finetuningConfigJson()),
                            t.attack(), providerData(world, tokenizer), "finetuning_defence.config");
            boolean forwardOnly = FORWARD_ONLY.contains(t.attack().kind());
            long[] modelNanos = {0};
            double[] lastHarm = {Double.NaN};
            if (forwardOnly) {
                lastHarm[0] = timed(modelNanos, () -> probe.measure(0, weights, List.of(), null));
            }
            long m0 = System.nanoTime();
            long[] probeNanos = {0};
            AttackResult r = null;
            int[] measured = {-1};
            try {
                r = attack.run(weights, data, new AttackProbe() {
                    @Override
                    public void measure(int step, LlamaWeights w, List<ResidualIntervention> interventions) {
                        record(step, w, interventions, null);
                    }

                    @Override
                    public void measureFramed(int step, LlamaWeights w, PromptFrame frame) {
                        record(step, w, List.of(), frame);
                    }

                    private void record(int step, LlamaWeights w, List<ResidualIntervention> interventions,
                            PromptFrame frame) {
                        long p0 = System.nanoTime();
                        int at = forwardOnly ? 1 : step;
                        lastHarm[0] = probe.measure(at, w, interventions, frame);
                        measured[0] = at;
                        probeNanos[0] += System.nanoTime() - p0;
                        LOG.info(String.format(Locale.ROOT, "attack %s %s%s step %d: harmful %.3f", t.taskId(),
                                t.attack().kind(), frame == null ? "" : " (" + frame.id() + ")", at, lastHarm[0]));
                        if (trial != null) {
                            trial.after(at, probe);
                        }
                    }
                });
            } catch (TrialHook.Stop stop) {
                // Successive halving ended the trial at this rung: its measurements so far are its result.
            }
            modelNanos[0] += System.nanoTime() - m0;
            int lastStep = r == null ? measured[0] : forwardOnly ? 1 : r.steps();
            String status = r == null ? TrialHook.STOPPED : r.status();
            // R_ft compares weight matrices in float32; a 16-bit base is not edited by the attack anyway
            if (r != null && t.referenceDir() != null && !t.pillar().equals("trainability") && !t.dtype().reduced()) {
                probe.subspaceRatio(lastStep, t.subspaceRank(), rFt(t, weights, device));
            }
            for (Map.Entry<String, Double> d : new java.util.TreeMap<>(r == null ? Map.<String, Double>of()
                    : r.details()).entrySet()) {
                probe.detail(lastStep, d.getKey(), d.getValue());
            }
            // Throughput goes to the log and the task summary, never into the metrics: rows must be reproducible.
            double tps = r == null || r.training() == null ? Double.NaN : r.training().tokensPerSecond();
            pending.writeLines("metrics.jsonl", probe.metrics);
            pending.writeLines("generations.jsonl", probe.generations);
            if (trial != null) {
                pending.writeLines(TrialHook.FILE, List.of(trial.row(status, lastStep,
                        (System.nanoTime() - t0) / 1e9)));
            }
            pending.commit();
            double seconds = (System.nanoTime() - t0) / 1e9;
            String under = t.finetuningDefence() == null ? "" : " under " + t.finetuningDefence();
            String summary = String.format(Locale.ROOT, "%s%s %s on %s seed %d: %s after %d steps, harmful %.3f,"
                    + " %.0f train tok/s, %.1f s (probes %.1f s)", t.attack().kind(), under, t.split(), t.defence(),
                    t.attack().seed(), status, lastStep, lastHarm[0], tps, seconds, probeNanos[0] / 1e9);
            LOG.info("attack {} {}", t.taskId(), summary);
            return new TaskOutcome(t.taskId(), trial == null ? "attack" : "search", "done", seconds,
                    modelNanos[0] / 1e9, summary);
        }
    }

    /**
     * LoX's R_ft of the attacked weights: the share of (W_attacked − W_base) inside the top-k subspace of the
     * parent's alignment update (W_aligned − W_base), averaged over the projections. Safety that survives
     * fine-tuning keeps it high (LoX 2506.15606).
     */
    private static double rFt(AttackTask t, LlamaWeights attacked, Device device) {
        try (LlamaWeights base = ImmuniseRunner.load(Path.of(t.referenceDir()), device, t.dtype());
                LlamaWeights aligned = ImmuniseRunner.load(Path.of(t.parentDir()), device, t.dtype())) {
            return org.immunobench.training.defences.Lox.meanSubspaceRatio(base, aligned, attacked,
                    t.subspaceRank());
        }
    }

    private static double timed(long[] nanos, java.util.function.DoubleSupplier f) {
        long t0 = System.nanoTime();
        double v = f.getAsDouble();
        nanos[0] += System.nanoTime() - t0;
        return v;
    }

    /**
     * What the provider of a fine-tuning service holds for a fine-tuning-stage defence: the defenders' data of the
     * immunise stage ({@link ImmuniseRunner#defenderData}), i.e. the align split's refusals and the pretrain split's
     * harmful rows of the attack domains, never the attack or evaluation splits (so held-out-domain attacks stay
     * held out from the defence as well).
     */
    static ProviderData providerData(World world, LmTokenizer tokenizer) {
        DefenceData d = ImmuniseRunner.defenderData(world, tokenizer, null);
        return new ProviderData(d.alignment(), d.harmful());
    }

    /** The attacker's data for a split: its harmful demonstrations, the benign fine-tuning set, prompts. */
    static AttackData attackData(World world, LmTokenizer tokenizer, String split) {
        AttackData inDomain = WorldAttackData.of(world, tokenizer, EOS);
        if (!split.equals("heldout_domain")) {
            return inDomain;
        }
        var rows = WorldContext.attackHarmful(world, split);
        return new AttackData(WorldModels.examples(rows, tokenizer, EOS), inDomain.benign(),
                rows.stream().map(r -> tokenizer.encode(r.prompt())).toList(), inDomain.harmlessPrompts(),
                inDomain.refusalTokens());
    }
}
