package org.immunobench.jobs.run;

import java.io.Serializable;

/**
 * One immunised checkpoint ({@code RUN/manifest}, docs/data-contracts.md): where it is, what made it and the
 * defence's own figures.
 *
 * @param metricsJson the defence's training figures (final loss, LoX's R_align …) as a JSON object
 */
public record ManifestRow(String runId, String checkpointId, String parentId, String parentName, String defence,
        String configJson, long seed, String path, String status, int steps, String metricsJson, double seconds,
        String createdAt, String codeVersion) implements Serializable {
}
