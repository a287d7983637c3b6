package org.immunobench.jobs.run;

import org.immunobench.evaluation.results.Tracks;
import org.immunobench.lm.runtime.ComputeDtype;
import org.immunobench.training.attacks.AttackSpec;

import java.io.Serializable;
import java.util.List;

/**
 * One attack run on one checkpoint: checkpoint × attack kind × hyper-parameters × seed, on the data of one split,
 * measured at {@code evalSteps}, optionally under a fine-tuning-stage defence run inside the attack. Its id hashes
 * the checkpoint id, the attack spec and the split (and the fine-tuning-stage defence with its config, when set).
 *
 * @param defence the checkpoint's defence ({@code none} for the undefended parent)
 * @param pillar what its rows feed: resistance, generalisation or trainability
 * @param parentDir the aligned parent the checkpoint was made from
 * @param referenceDir the parent's pre-alignment model, or null; with it the attack stage logs LoX's R_ft
 * @param subspaceRank k of the safety subspace behind R_ft (the LoX rank of a LoX checkpoint, else LoX's default)
 * @param finetuningDefence the fine-tuning-stage defence the provider runs inside this attack ({@code lisa} …), or
 *     null for a plain attack
 * @param finetuningConfigJson its resolved config, canonical JSON; null with no fine-tuning-stage defence
 * @param dtype precision the checkpoint is loaded in ({@code --dtype}); attacks that update the base weights need f32,
 *     LoRA attacks train float32 adapters over a 16-bit base
 */
public record AttackTask(String runId, String taskId, String checkpointId, String checkpointDir, String parentId,
        String defence, AttackSpec attack, String split, String pillar, List<Integer> evalSteps, String worldDir,
        ExperimentConfig.Evaluation evaluation, int threads, String parentDir, String referenceDir,
        int subspaceRank, String finetuningDefence, String finetuningConfigJson, ComputeDtype dtype)
        implements Serializable {
    public AttackTask(String runId, String taskId, String checkpointId, String checkpointDir, String parentId,
            String defence, AttackSpec attack, String split, String pillar, List<Integer> evalSteps, String worldDir,
            ExperimentConfig.Evaluation evaluation, int threads, String parentDir, String referenceDir,
            int subspaceRank, String finetuningDefence, String finetuningConfigJson) {
        this(runId, taskId, checkpointId, checkpointDir, parentId, defence, attack, split, pillar, evalSteps, worldDir,
                evaluation, threads, parentDir, referenceDir, subspaceRank, finetuningDefence, finetuningConfigJson,
                ComputeDtype.F32);
    }

    public AttackTask {
        dtype = dtype == null ? ComputeDtype.F32 : dtype;
        evalSteps = List.copyOf(evalSteps);
        if ((finetuningDefence == null) != (finetuningConfigJson == null)) {
            throw new IllegalArgumentException("a fine-tuning-stage defence needs its config and the other way round");
        }
    }

    /**
     * The attack's hyper-parameters without the seed, canonical JSON: the {@code attack_config_json} column. Under a
     * fine-tuning-stage defence it also records that defence and its resolved config, so every row says what ran.
     */
    public String attackConfigJson() {
        String json = new AttackSpec(attack.kind(), attack.params(), 0).configJson().replace(",\"seed\":0}", "}");
        if (finetuningDefence == null) {
            return json;
        }
        return json.substring(0, json.length() - 1) + ",\"finetuning_defence\":{\"name\":\"" + finetuningDefence
                + "\",\"config\":" + finetuningConfigJson + "}}";
    }

    /** The {@code defence} column of its rows: the fine-tuning-stage defence when there is one. */
    public String rowDefence() {
        return finetuningDefence == null ? defence : finetuningDefence;
    }

    /** The {@code track} column of its rows. */
    public String track() {
        return finetuningDefence == null ? Tracks.OPEN_WEIGHT : Tracks.FINETUNING_STAGE;
    }
}
