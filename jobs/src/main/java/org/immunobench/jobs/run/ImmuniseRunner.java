package org.immunobench.jobs.run;

import ai.djl.Device;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.world.World;
import org.immunobench.jobs.world.WorldAttackData;
import org.immunobench.jobs.world.WorldModels;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.AttackData;
import org.immunobench.training.defences.Defence;
import org.immunobench.training.defences.DefenceData;
import org.immunobench.training.defences.DefenceResult;
import org.immunobench.training.defences.Defences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link ImmuniseTask} on an executor: loads the parent (and its reference model), gives the defence the
 * toy world's defender data, saves the immunised weights as an HF checkpoint and commits its manifest row.
 *
 * <p>Defender data: the align split's refusal rows (alignment), the pretrain split's compliant answers in the attack
 * domains (harmful demonstrations a defence may simulate the attacker with; never the attack or eval splits), the
 * pretrain split's benign rows (retain set) and the prompts of both.
 */
final class ImmuniseRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ImmuniseRunner.class);

    private ImmuniseRunner() {
    }

    static TaskOutcome run(ImmuniseTask t, TaskStore store, Device device) {
        long t0 = System.nanoTime();
        DjlRuntime.start(t.threads()); // also sets this thread's libtorch thread count
        Path worldDir = Path.of(t.worldDir());
        World world = WorldContext.load(worldDir);
        Path out = Path.of(t.checkpointDir());
        try (TaskStore.Pending pending = store.begin(t.taskId());
                LmTokenizer tokenizer = LmTokenizer.load(WorldContext.tokenizer(worldDir));
                LlamaWeights weights = load(Path.of(t.parentPath()), device, t.dtype());
                LlamaWeights reference = t.referencePath() == null ? null
                        : load(Path.of(t.referencePath()), device, t.dtype())) {
            Defence defence = Defences.create(t.defence(), parse(t.configJson()), t.seed(), "defence");
            DefenceData data = defenderData(world, tokenizer, reference);
            long m0 = System.nanoTime();
            DefenceResult r = defence.apply(weights, data);
            double modelSeconds = (System.nanoTime() - m0) / 1e9;
            Path tmp = out.resolveSibling(".tmp-" + out.getFileName() + "-" + java.util.UUID.randomUUID());
            Path tokenizerJson = Path.of(t.parentPath()).resolve(CheckpointReader.TOKENIZER);
            CheckpointWriter.write(tmp, weights.config(), weights.toHost(),
                    Files.isRegularFile(tokenizerJson) ? tokenizerJson : null, "F32");
            TaskStore.deleteTree(out); // a checkpoint of a killed earlier attempt, never committed
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ManifestRow row = new ManifestRow(t.runId(), t.taskId(), t.parentId(), t.parentName(), t.defence(),
                    t.configJson(), t.seed(), out.toString(), r.status(), r.steps(),
                    ConfigBinder.canonicalJson(r.metrics()), seconds, Instant.now().toString(),
                    CodeVersion.describe());
            pending.writeLines("manifest.jsonl", List.of(row));
            pending.commit();
            String summary = String.format(java.util.Locale.ROOT, "%s on %s: %s, %d steps, %.1f s %s", t.defence(),
                    t.parentName(), r.status(), r.steps(), seconds, r.metrics());
            LOG.info("immunise {} {}", t.taskId(), summary);
            return new TaskOutcome(t.taskId(), "immunise", "done", seconds, modelSeconds, summary);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write checkpoint " + out, e);
        }
    }

    /** Streams a checkpoint onto {@code device} in {@code dtype} ({@link LlamaWeights#load}). */
    static LlamaWeights load(Path dir, Device device, ComputeDtype dtype) {
        return LlamaWeights.load(CheckpointReader.index(dir), device, dtype);
    }

    static DefenceData defenderData(World world, LmTokenizer tokenizer, LlamaWeights reference) {
        int eos = 3;
        List<CorpusRow> refusals = world.rows(Splits.ALIGN).stream()
                .filter(r -> r.kind().equals(CorpusRow.REFUSAL)).toList();
        List<String> attackDomains = world.attackDomains().stream().map(d -> d.name()).toList();
        List<CorpusRow> harmful = world.rows(Splits.PRETRAIN).stream()
                .filter(r -> r.kind().equals(CorpusRow.HARMFUL) && attackDomains.contains(r.domain())).toList();
        List<CorpusRow> benign = world.rows(Splits.PRETRAIN).stream()
                .filter(r -> r.kind().equals(CorpusRow.BENIGN)).toList();
        AttackData prompts = WorldAttackData.of(world, tokenizer, eos);
        return new DefenceData(WorldModels.examples(refusals, tokenizer, eos),
                WorldModels.examples(harmful, tokenizer, eos), WorldModels.examples(benign, tokenizer, eos),
                refusals.stream().map(r -> tokenizer.encode(r.prompt())).toList(), prompts.harmlessPrompts(),
                reference);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) {
        try {
            return ConfigBinder.mapper().readValue(json, Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("bad config json " + json, e);
        }
    }
}
