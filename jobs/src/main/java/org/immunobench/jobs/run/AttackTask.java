package org.immunobench.jobs.run;

import org.immunobench.training.attacks.AttackSpec;

import java.io.Serializable;
import java.util.List;

/**
 * One attack run on one checkpoint: checkpoint × attack kind × hyper-parameters × seed, on the data of one split,
 * measured at {@code evalSteps}. Its id hashes the checkpoint id, the attack spec and the split.
 *
 * @param pillar what its rows feed: resistance, generalisation or trainability
 * @param parentDir the aligned parent the checkpoint was made from
 * @param referenceDir the parent's pre-alignment model, or null; with it the attack stage logs LoX's R_ft
 * @param subspaceRank k of the safety subspace behind R_ft (the LoX rank of a LoX checkpoint, else LoX's default)
 */
public record AttackTask(String runId, String taskId, String checkpointId, String checkpointDir, String parentId,
        String defence, AttackSpec attack, String split, String pillar, List<Integer> evalSteps, String worldDir,
        ExperimentConfig.Evaluation evaluation, int threads, String parentDir, String referenceDir,
        int subspaceRank) implements Serializable {
    public AttackTask {
        evalSteps = List.copyOf(evalSteps);
    }

    /** The attack's hyper-parameters without the seed, canonical JSON: the {@code attack_config_json} column. */
    public String attackConfigJson() {
        return new AttackSpec(attack.kind(), attack.params(), 0).configJson().replace(",\"seed\":0}", "}");
    }
}
