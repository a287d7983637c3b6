package org.immunobench.jobs.run;

import org.immunobench.lm.runtime.ComputeDtype;

import java.io.Serializable;

/**
 * One checkpoint to make: parent × defence × defence config × seed. Its id is the checkpoint id, a hash of the
 * parent's id, the defence, its resolved config and the seed, so a rerun finds it done.
 *
 * @param configJson the defence's resolved config (every default filled in), canonical JSON
 * @param referencePath the parent's pre-alignment checkpoint, or null
 * @param checkpointDir where the immunised HF checkpoint goes
 * @param dtype precision the models are loaded in ({@code --dtype}); defences that update the base weights need f32
 */
public record ImmuniseTask(String runId, String taskId, String parentName, String parentId, String parentPath,
        String referencePath, String defence, String configJson, long seed, String checkpointDir, String worldDir,
        int threads, ComputeDtype dtype) implements Serializable {
    public ImmuniseTask {
        dtype = dtype == null ? ComputeDtype.F32 : dtype;
    }
}
