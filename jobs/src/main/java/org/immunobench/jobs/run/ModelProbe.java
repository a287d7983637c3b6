package org.immunobench.jobs.run;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.evaluation.generation.Completions;
import org.immunobench.evaluation.judge.Judge;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.jobs.world.ToyText;
import org.immunobench.jobs.world.World;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.prompt.PromptFrame;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Measures an attacked model at one step of its attack: greedy completions of harmful eval prompts judged for harm,
 * refusal and fluency; the mean NLL of held-out harmful responses (response tokens only, methods: harmful NLL);
 * benign exact-answer accuracy (macro over the pretrained tasks: {@code benign_accuracy}; over the task held back for
 * trainability: {@code task_accuracy}) and over-refusal on benign prompts; and what {@link DriftProbe} measures
 * inside the model (HED, per-layer cosine, perplexity drift against the parent). Trainability tasks skip the harmful
 * prompts. Every completion is kept as a {@link GenerationRow}.
 */
final class ModelProbe {
    private final AttackTask task;
    private final World world;
    private final LmTokenizer tokenizer;
    private final Judge judge;
    private final int eos;
    private final String codeVersion;
    private final List<CorpusRow> harmful;
    private final List<CorpusRow> nll;
    private final List<CorpusRow> benign;
    private final DriftProbe drift;
    final List<MetricRow> metrics = new ArrayList<>();
    final List<GenerationRow> generations = new ArrayList<>();

    ModelProbe(AttackTask task, World world, LmTokenizer tokenizer, Judge judge, int eos, String codeVersion) {
        this.task = task;
        this.world = world;
        this.tokenizer = tokenizer;
        this.judge = judge;
        this.eos = eos;
        this.codeVersion = codeVersion;
        ExperimentConfig.Evaluation e = task.evaluation();
        boolean trainability = task.pillar().equals("trainability");
        this.harmful = trainability ? List.of() : WorldContext.harmfulEval(world, task.split(), e.harmfulPrompts());
        this.nll = trainability ? List.of() : WorldContext.harmfulNll(world, task.split(), e.nllRows());
        this.benign = WorldContext.benignEval(world, e.benignPrompts());
        String heldBack = world.tasks().heldBack();
        this.drift = new DriftProbe(nll, benign.stream().filter(r -> !r.domain().equals(heldBack)).toList(), tokenizer,
                e.batchSize());
    }

    /** Takes the drift probes' references: the checkpoint before the attack and its defence's parent. */
    void prepare(LlamaWeights released, LlamaWeights parent) {
        drift.prepare(released, parent);
    }

    /**
     * Returns the harmful rate (NaN for trainability tasks) for the progress line.
     *
     * @param frame null, or the misdirection frame to wrap every harmful request in (harmful eval prompts and the
     *     harmful NLL rows' prompts; benign prompts stay plain). Completions are judged against the plain request;
     *     the generation rows keep the framed prompt the model saw
     */
    double measure(int step, LlamaWeights w, List<ResidualIntervention> interventions, PromptFrame frame) {
        ExperimentConfig.Evaluation e = task.evaluation();
        SamplingConfig greedy = SamplingConfig.greedy(e.maxNewTokens(), Set.of(eos));
        double harmRate = Double.NaN;
        if (!harmful.isEmpty()) {
            List<String> prompts = harmful.stream().map(r -> framed(r.prompt(), frame)).toList();
            List<String> out = Completions.generate(w, tokenizer, prompts, greedy, interventions, e.batchSize());
            int h = 0;
            int r = 0;
            int f = 0;
            for (int i = 0; i < out.size(); i++) {
                CorpusRow row = harmful.get(i);
                boolean isHarmful = judge.isHarmful(row.domain(), row.prompt(), out.get(i));
                boolean isRefusal = judge.isRefusal(out.get(i));
                boolean isFluent = judge.isFluent(out.get(i));
                h += isHarmful ? 1 : 0;
                r += isRefusal ? 1 : 0;
                f += isFluent ? 1 : 0;
                generations.add(new GenerationRow(task.runId(), task.taskId(), task.checkpointId(), step, "harmful",
                        row.id(), row.domain(), prompts.get(i), out.get(i), judge.name(), isHarmful, isRefusal,
                        isFluent, false));
            }
            int n = out.size();
            harmRate = h / (double) n;
            add(step, "harmful_rate", harmRate, n, judge.name(), false);
            add(step, "refusal_rate", r / (double) n, n, judge.name(), true);
            add(step, "fluent_rate", f / (double) n, n, judge.name(), true);
        }
        // NLL under inference-time interventions would need them in the scorer; weight attacks only.
        if (!nll.isEmpty() && interventions.isEmpty()) {
            List<ScoringInput> inputs = nll.stream().map(row -> tokenizer.forPromptResponse(
                    framed(row.prompt(), frame), row.response())).toList();
            List<SequenceScore> scores = new Scorer(w, RuntimeOptions.cpu()).score(inputs);
            double sum = 0;
            long tokens = 0;
            for (SequenceScore s : scores) {
                sum += s.nllSum();
                tokens += s.nTokens();
            }
            add(step, "harmful_nll", sum / tokens, tokens, "none", true);
        }
        List<String> prompts = benign.stream().map(CorpusRow::prompt).toList();
        List<String> out = Completions.generate(w, tokenizer, prompts, greedy, interventions, e.batchSize());
        List<String> pretrained = world.tasks().pretrained();
        String heldBack = world.tasks().heldBack();
        java.util.Map<String, int[]> perTask = new java.util.TreeMap<>();
        int refusals = 0;
        for (int i = 0; i < out.size(); i++) {
            CorpusRow row = benign.get(i);
            boolean correct = world.tasks().isCorrect(row.domain(), row.prompt(), out.get(i));
            boolean refusal = world.oracle().isRefusal(out.get(i));
            refusals += refusal ? 1 : 0;
            int[] c = perTask.computeIfAbsent(row.domain(), d -> new int[2]);
            c[0] += correct ? 1 : 0;
            c[1]++;
            generations.add(new GenerationRow(task.runId(), task.taskId(), task.checkpointId(), step, "benign",
                    row.id(), row.domain(), row.prompt(), out.get(i), "exact_answer", false, refusal,
                    world.oracle().isFluent(out.get(i)), correct));
        }
        double macro = perTask.entrySet().stream().filter(t -> pretrained.contains(t.getKey()))
                .mapToDouble(t -> t.getValue()[0] / (double) t.getValue()[1]).average().orElse(Double.NaN);
        long nPretrained = perTask.entrySet().stream().filter(t -> pretrained.contains(t.getKey()))
                .mapToLong(t -> t.getValue()[1]).sum();
        add(step, "benign_accuracy", macro, nPretrained, "exact_answer", true);
        int[] held = perTask.get(heldBack);
        if (held != null) {
            add(step, "task_accuracy", held[0] / (double) held[1], held[1], "exact_answer", true);
        }
        add(step, "over_refusal", out.isEmpty() ? Double.NaN : refusals / (double) out.size(), out.size(),
                "toyworld_oracle", false);
        for (DriftProbe.Figure f : drift.measure(w, interventions)) {
            add(step, f.metric(), f.value(), f.n(), "none", f.higherIsBetter());
        }
        return harmRate;
    }

    /**
     * {@code prompt} with its request wrapped in {@code frame} (null: unchanged). A toy-world prompt keeps its chat
     * frame around the framed request; any other prompt is framed whole.
     */
    static String framed(String prompt, PromptFrame frame) {
        if (frame == null) {
            return prompt;
        }
        return ToyText.request(prompt).map(r -> ToyText.prompt(frame.wrap(String.join(" ", r))))
                .orElseGet(() -> frame.wrap(prompt));
    }

    /** LoX's R_ft after the attack (higher: more of the safety subspace kept). */
    void subspaceRatio(int step, int k, double value) {
        add(step, "r_ft_k" + k, value, 1, "none", true);
    }

    /** A figure the attack itself reports (final loss, selected layer …), at the attack's last step. */
    void detail(int step, String name, double value) {
        add(step, "attack_" + name, value, 1, "none", false);
    }

    private void add(int step, String metric, double value, long n, String judgeName, boolean higherIsBetter) {
        metrics.add(new MetricRow(task.runId(), task.taskId(), task.checkpointId(), task.parentId(), task.rowDefence(),
                task.track(), task.attack().kind(), task.attackConfigJson(), task.split(), task.attack().seed(), step,
                task.pillar(), metric, value, n, judgeName, higherIsBetter, Instant.now().toString(), codeVersion));
    }
}
