package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * What a task reports back to the driver.
 *
 * @param status {@code done} or {@code failed}
 * @param summary one line for the log (e.g. the final harmful rate), or the error
 * @param modelSeconds time in training and evaluation forward passes; the rest of {@code seconds} is loading,
 *     data preparation and writing
 */
public record TaskOutcome(String taskId, String stage, String status, double seconds, double modelSeconds,
        String summary) implements Serializable {
    public boolean failed() {
        return status.equals("failed");
    }
}
