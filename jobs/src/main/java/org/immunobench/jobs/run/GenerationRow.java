package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * One stored completion ({@code RUN/generations}), kept so that another judge can re-score a run without re-running
 * any attack. {@code promptSet} is {@code harmful} or {@code benign}; the judgements are this run's judge's
 * (benign completions are graded for exact answers, {@code correct}).
 */
public record GenerationRow(String runId, String taskId, String checkpointId, int step, String promptSet,
        String promptId, String domain, String prompt, String completion, String judge, boolean harmful,
        boolean refusal, boolean fluent, boolean correct) implements Serializable {
}
