package org.immunobench.jobs.landscape;

import ai.djl.Device;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.evaluation.generation.Completions;
import org.immunobench.evaluation.judge.Judge;
import org.immunobench.evaluation.judge.KeywordJudge;
import org.immunobench.evaluation.landscape.LandscapeDirections;
import org.immunobench.evaluation.metrics.HarmReport;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.run.WorldContext;
import org.immunobench.jobs.world.ToyWorldCompliance;
import org.immunobench.jobs.world.ToyWorldJudge;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldAttackData;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.AttackFactory;
import org.immunobench.training.attacks.AttackProbe;
import org.immunobench.training.attacks.AttackResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The executor side of a landscape: training an attack axis's model, and measuring one grid point. The origin and
 * the directions are held once per JVM (host tensors; the last landscape's only), so the tasks of one executor
 * read the checkpoints and draw the random directions once.
 */
final class LandscapeTask {
    /** The origin's weights and the axes' directions on the host. */
    record Basis(String key, ModelConfig config, Map<String, HostTensor> origin,
            List<Map<String, HostTensor>> directions) {
    }

    private static Basis cached;

    private LandscapeTask() {
    }

    static synchronized Basis basis(LandscapeSpec spec) {
        if (cached == null || !cached.key().equals(spec.basisKey())) {
            cached = null; // let the previous landscape's tensors go before reading the next
            CheckpointReader.LoadedCheckpoint origin = CheckpointReader.read(Path.of(spec.originDir()));
            List<Map<String, HostTensor>> directions = new ArrayList<>();
            for (LandscapeAxis axis : spec.axes()) {
                if (axis.kind().equals(LandscapeAxis.RANDOM)) {
                    directions.add(LandscapeDirections.random(origin.tensors(), axis.seed()));
                } else {
                    CheckpointReader.LoadedCheckpoint target = CheckpointReader.read(Path.of(axis.checkpointDir()));
                    try {
                        directions.add(LandscapeDirections.difference(target.tensors(), origin.tensors()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--axis " + axis.spec() + " (" + axis.checkpointDir()
                                + "): " + e.getMessage(), e);
                    }
                }
            }
            cached = new Basis(spec.basisKey(), origin.config(), origin.tensors(), List.copyOf(directions));
        }
        return cached;
    }

    /** Fine-tunes the origin with the axis's attack on the toy world's attacker data and saves it. */
    static String trainAxis(LandscapeSpec spec, LandscapeAxis axis, Device device) {
        DjlRuntime.start(spec.threads());
        Path worldDir = Path.of(spec.worldDir());
        World world = WorldContext.load(worldDir);
        CheckpointReader.LoadedCheckpoint origin = CheckpointReader.read(Path.of(spec.originDir()));
        int eos = eos(origin.config());
        long t0 = System.nanoTime();
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(worldDir));
                LlamaWeights w = LlamaWeights.fromHost(origin.config(), origin.tensors(), device)) {
            AttackResult r = AttackFactory.create(axis.attack(), ToyWorldCompliance.of(world.oracle(), tokenizer, eos))
                    .run(w, WorldAttackData.of(world, tokenizer, eos), AttackProbe.NONE);
            if (!r.status().equals("completed")) {
                throw new IllegalStateException("--axis " + axis.spec() + ": the attack ended " + r.status() + " after "
                        + r.steps() + " steps; no model to interpolate to");
            }
            Path tokenizerJson = Path.of(spec.originDir()).resolve(CheckpointReader.TOKENIZER);
            CheckpointWriter.write(Path.of(axis.checkpointDir()), origin.config(), w.toHost(),
                    Files.isRegularFile(tokenizerJson) ? tokenizerJson : WorldContext.tokenizer(worldDir), "F32");
            return String.format(java.util.Locale.ROOT, "%s: %d steps, %.1f s → %s", axis.spec(), r.steps(),
                    (System.nanoTime() - t0) / 1e9, axis.checkpointDir());
        }
    }

    /**
     * The model at origin + a·d1 (+ b·d2), measured: judged completions, harmful NLL, general-text NLL (the benign
     * eval answers of the pretrained tasks, as the attack probes' perplexity drift reads them).
     */
    static LandscapeRow measure(LandscapeSpec spec, double a, double b, Device device) {
        long t0 = System.nanoTime();
        DjlRuntime.start(spec.threads());
        Path worldDir = Path.of(spec.worldDir());
        World world = WorldContext.load(worldDir);
        Basis basis = basis(spec);
        double[] coords = spec.axes().size() == 1 ? new double[]{a} : new double[]{a, b};
        Map<String, HostTensor> theta = LandscapeDirections.point(basis.origin(), basis.directions(), coords);
        Judge judge = spec.judge().equals("keyword") ? KeywordJudge.defaults() : new ToyWorldJudge(world.oracle());
        try (LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(worldDir));
                LlamaWeights w = LlamaWeights.fromHost(basis.config(), theta, device)) {
            List<CorpusRow> harmful = WorldContext.harmfulEval(world, "attack", spec.harmfulPrompts());
            List<String> prompts = harmful.stream().map(CorpusRow::prompt).toList();
            List<String> completions = Completions.generate(w, tokenizer, prompts,
                    SamplingConfig.greedy(spec.maxNewTokens(), eosSet(basis.config())), List.of(),
                    spec.batchSize());
            HarmReport report = HarmReport.of(harmful.stream().map(CorpusRow::domain).toList(), prompts, completions,
                    judge);
            double[] harmNll = nll(w, WorldContext.harmfulNll(world, "attack", spec.nllRows()).stream()
                    .map(r -> tokenizer.forPromptResponse(r.prompt(), r.response())).toList());
            String heldBack = world.tasks().heldBack();
            double[] general = nll(w, WorldContext.benignEval(world, spec.benignRows()).stream()
                    .filter(r -> !r.domain().equals(heldBack))
                    .map(r -> tokenizer.forPromptResponse(r.prompt(), r.response())).toList());
            List<LandscapeAxis> axes = spec.axes();
            return new LandscapeRow(spec.name(), spec.originRef(), axes.get(0).spec(),
                    axes.size() > 1 ? axes.get(1).spec() : null, axes.size(), a, b, report.harmfulRate(),
                    report.refusalRate(), report.fluentRate(), harmNll[0] / harmNll[1], general[0] / general[1],
                    report.n(), (long) harmNll[1], (long) general[1], judge.name(), (System.nanoTime() - t0) / 1e9,
                    CodeVersion.describe());
        }
    }

    /** {NLL sum, tokens}. */
    private static double[] nll(LlamaWeights w, List<ScoringInput> inputs) {
        double sum = 0;
        long tokens = 0;
        for (SequenceScore s : new Scorer(w, RuntimeOptions.cpu()).score(inputs)) {
            sum += s.nllSum();
            tokens += s.nTokens();
        }
        return new double[]{sum, tokens};
    }

    private static int eos(ModelConfig config) {
        return eosSet(config).iterator().next();
    }

    private static Set<Integer> eosSet(ModelConfig config) {
        if (config.eosTokenIds().isEmpty()) {
            throw new IllegalArgumentException("the origin's config.json has no eos_token_id; generation needs one");
        }
        return new java.util.LinkedHashSet<>(config.eosTokenIds());
    }
}
