package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * A task that failed ({@code RUN/failures}): the run goes on without it and a rerun tries it again.
 *
 * @param file the file the error is about (a checkpoint, a config), or null when the error names none
 */
public record FailureRow(String runId, String taskId, String stage, String error, String file, String createdAt)
        implements Serializable {
}
