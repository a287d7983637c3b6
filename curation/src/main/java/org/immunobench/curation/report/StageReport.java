package org.immunobench.curation.report;

import org.immunobench.curation.accounting.StageCounts;

import java.io.Serializable;
import java.util.List;

/**
 * One stage of a curate run as the report shows it.
 *
 * @param title what the stage did, for humans
 * @param counts per-source accounting, or null for a stage that was skipped
 * @param notes figures and caveats worth a line (candidate pairs, tokens/s, why it was skipped)
 */
public record StageReport(String title, StageCounts counts, double seconds, List<String> notes)
        implements Serializable {
    public StageReport {
        notes = List.copyOf(notes);
    }

    public String stage() {
        return counts == null ? title : counts.stage();
    }

    public boolean skipped() {
        return counts == null;
    }

    public static StageReport skipped(String title, String why) {
        return new StageReport(title, null, 0, List.of(why));
    }
}
