package org.immunobench.jobs.run;

import ai.djl.Device;
import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attack entries with a fine-tuning-stage defence: plan, task ids, key-named errors, and the rows they write. */
class FinetuningTrackPlanTest {
    private static final String PLAIN = """
              - kind: harmful_sft
                params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                eval_steps: [0, 2]
            """;

    private static String lisa(String config) {
        return """
                  - kind: harmful_sft
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                    eval_steps: [0, 2]
                    finetuning_defence: {name: lisa, config: %s}
                """.formatted(config);
    }

    /** The tiny experiment (none and LoX, trainability) with these attack entries. */
    private static ExperimentConfig config(String attacks) {
        String yaml = TinyWorld.experiment("");
        int at = yaml.indexOf("attacks:\n");
        int end = yaml.indexOf("trainability:");
        return ExperimentConfigs.parse(yaml.substring(0, at) + "attacks:\n" + attacks + yaml.substring(end),
                "exp.yaml");
    }

    private static ExperimentPlan plan(ExperimentConfig c, Path run) {
        return ExperimentPlan.of(c, TinyWorld.get(), run, 1);
    }

    private static String error(String attacks, Path run) {
        return assertThrows(IllegalArgumentException.class, () -> plan(config(attacks), run)).getMessage();
    }

    @Test
    void aFineTuningStageEntryAttacksTheUndefendedCheckpointOnItsOwnTrack(@TempDir Path tmp) {
        ExperimentPlan plain = plan(config(PLAIN), tmp.resolve("a"));
        ExperimentPlan with = plan(config(PLAIN + lisa("{k_user: 3, rho: 0.5}")), tmp.resolve("b"));
        // 2 checkpoints x plain + the undefended one x lisa + 2 trainability tasks.
        assertEquals(plain.attacks().size() + 1, with.attacks().size());
        List<AttackTask> lisaTasks = with.attacks().stream().filter(t -> t.finetuningDefence() != null).toList();
        assertEquals(1, lisaTasks.size());
        AttackTask t = lisaTasks.get(0);
        assertEquals("none", t.defence(), "the attacked checkpoint is the undefended parent");
        assertEquals("lisa", t.rowDefence());
        assertEquals("finetuning_stage", t.track());
        assertEquals("{\"kind\":\"harmful_sft\",\"params\":{\"batch\":\"4\",\"eval_steps\":\"0,2\",\"lr\":\"0.001\","
                + "\"samples\":\"16\",\"steps\":\"2\"},\"finetuning_defence\":{\"name\":\"lisa\",\"config\":"
                + "{\"k_align\":2,\"k_user\":3,\"rho\":0.5}}}", t.attackConfigJson());
        AttackTask plainOnNone = with.attacks().stream().filter(a -> a.finetuningDefence() == null
                && a.defence().equals("none") && a.pillar().equals("resistance")).findFirst().orElseThrow();
        assertEquals(plainOnNone.attack(), t.attack());
        assertNotEquals(plainOnNone.taskId(), t.taskId(), "the defence is part of the task id");
        assertEquals("open_weight", plainOnNone.track());
        // Open-weight tasks are exactly those of the plan without the entry, ids included.
        assertEquals(plain.attacks().stream().map(AttackTask::taskId).toList(),
                with.attacks().stream().filter(a -> a.finetuningDefence() == null).map(AttackTask::taskId).toList());
        // Its config is part of the id too.
        ExperimentPlan other = plan(config(PLAIN + lisa("{k_user: 4}")), tmp.resolve("c"));
        assertNotEquals(t.taskId(), other.attacks().stream().filter(a -> a.finetuningDefence() != null)
                .findFirst().orElseThrow().taskId());
        assertTrue(with.resolved().containsKey("finetuning_defence_points"));
        assertFalse(plain.resolved().containsKey("finetuning_defence_points"));
    }

    @Test
    void configsWithoutTheKeyResolveAsBeforeSoTheirRunIdsStay() {
        String json = ConfigBinder.canonicalJson(ConfigBinder.toMap(config(PLAIN)));
        assertFalse(json.contains("finetuning_defence"), json);
    }

    @Test
    void errorsNameTheKey(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        assertEquals("attacks[1].finetuning_defence.name 'vaccine' is unknown; known: [lisa, security_vectors]",
                error(PLAIN + lisa("{}").replace("name: lisa", "name: vaccine"), run));
        assertTrue(error(PLAIN + lisa("{rh0: 1}"), run).startsWith("attacks[1].finetuning_defence.config.rh0: unknown"
                + " key; allowed in attacks[1].finetuning_defence.config: [k_align, k_user, rho]"));
        assertEquals("attacks[1].finetuning_defence.config.k_user: must be > 0, got 0",
                error(PLAIN + lisa("{k_user: 0}"), run));
        assertEquals("attacks[1].finetuning_defence: lisa runs inside a fine-tuning attack [harmful_sft, harmful_lora,"
                + " benign_sft], not refusal_direction", error(PLAIN + """
                  - kind: refusal_direction
                    finetuning_defence: {name: lisa}
                """, run));
        assertTrue(error(PLAIN + lisa("{rho: 0.5}") + lisa("{rho: 2.0}"), run).startsWith(
                "attacks[2].finetuning_defence.config: lisa is configured as"));
        assertTrue(error(lisa("{}"), run).startsWith("attacks[0].finetuning_defence: its baseline, the plain attack"
                + " on the same checkpoint, is missing"));
        assertTrue(error(PLAIN + lisa("{}").replace("lr: 1.0e-3", "lrr: 1.0e-3"), run).startsWith(
                "attacks[1]: harmful_sft.lrr: unknown key; allowed in harmful_sft:"));
        String yaml = TinyWorld.experiment("").replace("  split: benign_train\n",
                "  split: benign_train\n  finetuning_defence: {name: lisa}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan(ExperimentConfigs.parse(yaml, "exp.yaml"), run));
        assertTrue(e.getMessage().startsWith("trainability.finetuning_defence: not allowed here"), e.getMessage());
        String unknown = assertThrows(IllegalArgumentException.class, () -> config(PLAIN
                + lisa("{}").replace("finetuning_defence: {name: lisa,", "finetuning_defence: {name: lisa, grid: {},")))
                .getMessage();
        assertTrue(unknown.startsWith("exp.yaml: attacks[1].finetuning_defence.grid: unknown key; allowed in"
                + " attacks[1].finetuning_defence: [config, name]"), unknown);
    }

    /** The attack stage runs the wrapper and its rows carry the defence and the fine-tuning-stage track. */
    @Test
    void itsMetricRowsCarryTheDefenceAndTheTrack(@TempDir Path tmp) throws Exception {
        ExperimentPlan p = plan(config(PLAIN + lisa("{k_user: 1, k_align: 1}")), tmp.resolve("run"));
        AttackTask t = p.attacks().stream().filter(a -> a.finetuningDefence() != null).findFirst().orElseThrow();
        // The undefended checkpoint is the parent itself; point the task at it instead of running the immunise stage.
        AttackTask onParent = new AttackTask(t.runId(), t.taskId(), t.checkpointId(), t.parentDir(), t.parentId(),
                t.defence(), t.attack(), t.split(), t.pillar(), t.evalSteps(), t.worldDir(), t.evaluation(),
                t.threads(), t.parentDir(), null, t.subspaceRank(), t.finetuningDefence(), t.finetuningConfigJson());
        TaskStore store = new TaskStore(tmp.resolve("tasks"));
        assertEquals("done", AttackRunner.run(onParent, store, Device.cpu()).status());
        List<String> rows = Files.readAllLines(tmp.resolve("tasks").resolve(t.taskId()).resolve("metrics.jsonl"));
        assertFalse(rows.isEmpty());
        for (String row : rows) {
            assertTrue(row.contains("\"defence\":\"lisa\"") && row.contains("\"track\":\"finetuning_stage\""), row);
        }
        assertTrue(rows.stream().anyMatch(r -> r.contains("\"metric\":\"attack_lisa_alignment_steps\"")
                && r.contains("\"value\":1.0")), String.join("\n", rows));
        assertTrue(rows.stream().anyMatch(r -> r.contains("\"metric\":\"harmful_rate\"") && r.contains("\"step\":2")));
        assertNull(onParent.referenceDir());
    }
}
