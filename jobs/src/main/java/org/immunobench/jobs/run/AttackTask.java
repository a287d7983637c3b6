package org.immunobench.jobs.run;

import org.immunobench.training.attacks.AttackSpec;

import java.io.Serializable;
import java.util.List;

/**
 * One attack run on one checkpoint: checkpoint × attack kind × hyper-parameters × seed, on the data of one split,
 * measured at {@code evalSteps}. Its id hashes the checkpoint id, the attack spec and the split.
 *
 * @param pillar what its rows feed: resistance, generalisation or trainability
 */
public record AttackTask(String runId, String taskId, String checkpointId, String checkpointDir, String parentId,
        String defence, AttackSpec attack, String split, String pillar, List<Integer> evalSteps, String worldDir,
        ExperimentConfig.Evaluation evaluation, int threads) implements Serializable {
    public AttackTask {
        evalSteps = List.copyOf(evalSteps);
    }

    /** The attack's hyper-parameters without the seed, canonical JSON: the {@code attack_config_json} column. */
    public String attackConfigJson() {
        return new AttackSpec(attack.kind(), attack.params(), 0).configJson().replace(",\"seed\":0}", "}");
    }
}
