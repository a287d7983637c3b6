package org.immunobench.jobs.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config errors name the file and the key's path, before any work. */
class ExperimentConfigTest {
    private static final String PARENTS = "parents: [{name: a, checkpoint: world:aligned}]\n";

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> ExperimentConfigs.parse(yaml, "exp.yaml"))
                .getMessage();
    }

    @Test
    void unknownKeysNameTheirPathAndTheAllowedKeys() {
        assertEquals("exp.yaml: attacks[0].lr: unknown key; allowed in attacks[0]: [eval_steps, finetuning_defence,"
                + " grid, kind, params, search, seeds, split]", error(PARENTS + "attacks: [{kind: harmful_sft, lr: 0.1}]"));
        assertEquals("exp.yaml: evalution: unknown key; allowed: [attacks, defences, evaluation, leaderboard, name,"
                + " parents, pillars, trainability, version, world]", error(PARENTS + "evalution: {}"));
    }

    @Test
    void badValuesNameTheirPath() {
        assertEquals("exp.yaml: evaluation: judge 'gpt4' is unknown; known: [toyworld_oracle, keyword]",
                error(PARENTS + "evaluation: {judge: gpt4}"));
        assertEquals("exp.yaml: attacks[0]: split 'eval' is unknown; known: [attack, heldout_domain, benign_train]",
                error(PARENTS + "attacks: [{kind: harmful_sft, split: eval}]"));
        assertEquals("exp.yaml: evaluation.harmful_prompts: expected an integer, got 'many'",
                error(PARENTS + "evaluation: {harmful_prompts: many}"));
        assertEquals("exp.yaml: parents: at least one parent checkpoint is needed", error("name: x"));
        assertTrue(error(PARENTS + "pillars: {phi: [1.5]}").startsWith("exp.yaml: pillars"));
    }

    @Test
    void attackAndDefenceParametersAreCheckedWhenThePlanIsMade(@TempDir Path tmp) {
        Path world = TinyWorld.get();
        ExperimentConfig bad = ExperimentConfigs.parse(PARENTS
                + "attacks: [{kind: harmful_sft, params: {lrr: 0.1}}]", "exp.yaml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentPlan.of(bad, world, tmp.resolve("run"), 1));
        assertTrue(e.getMessage().startsWith("attacks[0]: harmful_sft.lrr: unknown key; allowed in harmful_sft: [batch, eval_steps,"), e.getMessage());
        ExperimentConfig badDefence = ExperimentConfigs.parse(PARENTS
                + "defences: [{name: lox, config: {rnak: 2}}]", "exp.yaml");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentPlan.of(badDefence, world,
                tmp.resolve("run"), 1));
        assertTrue(e.getMessage().startsWith("defences[0].config.rnak: unknown key"), e.getMessage());
        ExperimentConfig missing = ExperimentConfigs.parse(
                "parents: [{name: a, checkpoint: /nowhere/model}]", "exp.yaml");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentPlan.of(missing, world, tmp, 1));
        assertEquals("parents[0].checkpoint '/nowhere/model': no checkpoint at /nowhere/model (config.json missing)",
                e.getMessage());
    }

    @Test
    void forwardOnlyAttacksArePlannedWithoutEvalSteps() {
        Path world = TinyWorld.get();
        ExperimentConfig c = ExperimentConfigs.parse(PARENTS
                + "attacks: [{kind: refusal_direction, params: {mode: ablation}}]", "exp.yaml");
        ExperimentPlan plan = ExperimentPlan.of(c, world, world.resolveSibling("run-rd"), 1);
        assertEquals(1, plan.attacks().size());
        assertEquals("{mode=ablation}", plan.attacks().get(0).attack().params().toString());
    }

    @Test
    void thePlanHasDeterministicIdsAndTheNoneBaseline(@TempDir Path tmp) {
        Path world = TinyWorld.get();
        ExperimentConfig c = ExperimentConfigs.parse(TinyWorld.experiment(""), "exp.yaml");
        ExperimentPlan a = ExperimentPlan.of(c, world, tmp.resolve("one"), 1);
        ExperimentPlan b = ExperimentPlan.of(c, world, tmp.resolve("two"), 1);
        assertEquals(a.runId(), b.runId());
        assertEquals(2, a.immunise().size());
        assertEquals("none", a.immunise().get(0).defence());
        assertEquals(4, a.attacks().size()); // 2 checkpoints x (1 attack + 1 trainability)
        assertEquals(a.attacks().stream().map(AttackTask::taskId).toList(),
                b.attacks().stream().map(AttackTask::taskId).toList());
    }
}
