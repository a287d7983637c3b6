package org.immunobench.curation.accounting;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The row accounting of one stage of the curate job, per source; each source's equation already holds. */
public record StageCounts(String stage, List<SourceCounts> sources) implements Serializable {

    public StageCounts {
        sources = List.copyOf(sources);
        Set<String> seen = new HashSet<>();
        for (SourceCounts c : sources) {
            if (!seen.add(c.source())) {
                throw new IllegalArgumentException("stage '" + stage + "': source '" + c.source()
                        + "' counted twice");
            }
        }
    }

    /** All sources together, under the name {@code all}. */
    public SourceCounts total() {
        long in = 0;
        long kept = 0;
        long quarantined = 0;
        Map<String, Long> dropped = new TreeMap<>();
        for (SourceCounts c : sources) {
            in += c.rowsIn();
            kept += c.kept();
            quarantined += c.quarantined();
            c.dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum));
        }
        return new SourceCounts("all", in, kept, quarantined, dropped);
    }

    /** What the job prints: a heading line, one line per source, then the total. */
    public String summary() {
        StringBuilder b = new StringBuilder(stage).append('\n');
        for (SourceCounts c : sources) {
            b.append("  ").append(c.summary()).append('\n');
        }
        return b.append("  ").append(total().summary()).append('\n').toString();
    }
}
