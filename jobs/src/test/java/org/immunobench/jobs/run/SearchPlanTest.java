package org.immunobench.jobs.run;

import org.immunobench.jobs.search.TrialPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A search block becomes trials on every checkpoint, checked before any work, every error naming its key. */
class SearchPlanTest {
    private static final String HEAD = """
            parents: [{name: a, checkpoint: world:aligned}]
            defences: [{name: none}, {name: lox, config: {rank: 2}}]
            """;

    static String attack(String search) {
        return HEAD + """
                attacks:
                  - kind: harmful_sft
                    params: {batch: 4, samples: 16}
                    grid: {lr: [1.0e-4, 1.0e-3]}
                    eval_steps: [0, 2]
                    search:
                """ + search.indent(6);
    }

    private static ExperimentPlan plan(String yaml, Path tmp) {
        return ExperimentPlan.of(ExperimentConfigs.parse(yaml, "exp.yaml"), TinyWorld.get(), tmp.resolve("run"), 1);
    }

    private static String error(String yaml, Path tmp) {
        return assertThrows(IllegalArgumentException.class, () -> plan(yaml, tmp)).getMessage();
    }

    @Test
    void everyCheckpointGetsTheSameTrialsWithDeterministicIds(@TempDir Path tmp) {
        String yaml = attack("""
                trials: 5
                seed: 2
                wave: 2
                space:
                  lr: {log_uniform: [1.0e-5, 1.0e-2]}
                  harmful_ratio: {uniform: [0.5, 1.0]}
                  lora_rank: {choice: [null, 2, 4]}
                  batch: {choice: [2, 8]}
                scheduler: {eta: 3, min_resource: 2, max_resource: 18}
                """);
        ExperimentPlan p = plan(yaml, tmp);
        assertEquals(2, p.searches().size());
        assertEquals(4, p.attacks().size(), "the fixed grid still runs: 2 checkpoints x 2 lr");
        SearchPlan none = p.searches().get(0);
        SearchPlan lox = p.searches().get(1);
        assertEquals(5, none.tasks().size());
        assertEquals(none.trials(), lox.trials(), "every defence faces the same candidate attacks");
        for (int i = 0; i < 5; i++) {
            TrialPlan.Trial t = none.trials().get(i);
            AttackTask task = none.tasks().get(i);
            assertEquals(200_000L + i, task.attack().seed());
            assertEquals("18", task.attack().params().get("steps"));
            assertEquals("0,2,6,18", task.attack().params().get("eval_steps"));
            assertEquals(List.of(0, 2, 6, 18), task.evalSteps());
            assertEquals("16", task.attack().params().get("samples"));
            assertTrue(List.of("2", "8").contains(task.attack().params().get("batch")), "the space wins over params");
            double lr = Double.parseDouble(t.params().get("lr"));
            assertTrue(lr >= 1e-5 && lr <= 1e-2, t.params().toString());
        }
        assertTrue(none.trials().stream().anyMatch(t -> !t.params().containsKey("lora_rank")),
                "a null choice leaves lora_rank unset (full fine-tuning)");
        Set<String> ids = p.searches().stream().flatMap(s -> s.tasks().stream()).map(AttackTask::taskId)
                .collect(Collectors.toSet());
        assertEquals(10, ids.size());
        ExperimentPlan again = plan(yaml, tmp);
        assertEquals(p.searches().get(1).tasks().stream().map(AttackTask::taskId).toList(),
                again.searches().get(1).tasks().stream().map(AttackTask::taskId).toList());
        ExperimentPlan otherSeed = plan(yaml.replace("seed: 2", "seed: 3"), tmp);
        assertTrue(otherSeed.searches().get(0).tasks().stream().map(AttackTask::taskId).noneMatch(ids::contains));
        assertTrue(p.resolved().toString().contains("sampler=sobol"), "defaults are resolved into run.yaml");
    }

    @Test
    void badSearchesFailBeforeAnyWorkNamingTheirKey(@TempDir Path tmp) {
        String space = "space: {lr: {log_uniform: [1.0e-5, 1.0e-2]}}\n";
        assertEquals("attacks[0].search.space.steps: under the asha scheduler a trial's steps are its resource"
                + " (scheduler.max_resource, stopped early at the rungs); remove steps from the space or use"
                + " scheduler: {kind: none}", error(attack(space + "scheduler: {max_resource: 8}\n").replace(
                "space: {lr:", "space: {steps: {int_uniform: [2, 8]}, lr:"), tmp));
        assertEquals("attacks[0].search.space: the grid sweeps lr, which the search does not; add it to the space"
                + " (e.g. lr: {choice: [...]}) or fix it in params", error(attack(
                "space: {harmful_ratio: {uniform: [0.5, 1.0]}}\nscheduler: {max_resource: 8}\n"), tmp));
        assertTrue(error(attack(space.replace("lr:", "lr: {log_uniform: [1.0e-5, 1.0e-2]}, lrr:")
                + "scheduler: {max_resource: 8}\n"), tmp).startsWith("attacks[0].search: trial 0 {"), "unknown key");
        assertTrue(error(attack(space.replace("lr:", "lr: {log_uniform: [1.0e-5, 1.0e-2]}, lrr:")
                + "scheduler: {max_resource: 8}\n"), tmp).contains("harmful_sft.lrr: unknown key"));
        assertEquals("exp.yaml: attacks[0].search.scheduler.max_resource: required with kind asha (the steps of a"
                + " trial that is never stopped)", error(attack(space), tmp));
        assertEquals("exp.yaml: attacks[0].search.scheduler.kind: none stops no trial, so eta, min_resource and"
                + " max_resource do not apply; remove them (a trial runs its own steps)",
                error(attack(space + "scheduler: {kind: none, eta: 3}\n"), tmp));
        assertEquals("exp.yaml: attacks[0].search.sampler: 'tpe' is unknown; known: [random, sobol, halton]",
                error(attack(space + "sampler: tpe\nscheduler: {max_resource: 8}\n"), tmp));
        assertEquals("leaderboard.bounded_epsilon: 5.0 is not among the searches' epsilons [1.0, 3.0]; set it to one"
                + " of them or add it to search.epsilons", error(attack(space
                + "epsilons: [1, 3]\nscheduler: {max_resource: 8}\n"), tmp));
        assertTrue(error(attack(space + "scheduler: {max_resource: 8}\n").replace("harmful_sft", "actadd")
                .replace("params: {batch: 4, samples: 16}", "params: {}").replace("grid: {lr: [1.0e-4, 1.0e-3]}",
                "grid: {}"), tmp).startsWith("attacks[0].search: searches run fine-tuning attacks"));
        String trainability = HEAD + "trainability: {kind: benign_sft, split: benign_train, search: {" + space
                .trim() + ", scheduler: {max_resource: 8}}}\n";
        assertTrue(error(trainability, tmp).startsWith("trainability.search: not allowed"));
    }

    @Test
    void withoutASchedulerATrialRunsItsOwnSteps(@TempDir Path tmp) {
        ExperimentPlan p = plan(attack("""
                trials: 3
                space:
                  lr: {log_uniform: [1.0e-5, 1.0e-2]}
                  steps: {int_uniform: [2, 6]}
                scheduler: {kind: none}
                """), tmp);
        for (AttackTask t : p.searches().get(0).tasks()) {
            String steps = t.attack().params().get("steps");
            assertEquals("0," + steps, t.attack().params().get("eval_steps"));
        }
    }
}
