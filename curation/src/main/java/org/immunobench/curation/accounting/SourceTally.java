package org.immunobench.curation.accounting;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.immunobench.curation.validate.Parsed;

/**
 * Counts the outcomes of one source's rows as they stream past; mergeable, so a Spark job can
 * {@code aggregate(new SourceTally(name), SourceTally::add, SourceTally::merge)}. Rows in are counted by whoever
 * reads the input, separately, and meet the outcomes in {@link #toCounts}.
 */
public final class SourceTally implements Serializable {
    private final String source;
    private long kept;
    private long quarantined;
    private final Map<String, Long> dropped = new TreeMap<>();

    public SourceTally(String source) {
        this.source = source;
    }

    public SourceTally add(Parsed p) {
        if (!p.source().equals(source)) {
            throw new IllegalArgumentException("row of source '" + p.source() + "' counted under '" + source + "'");
        }
        if (p instanceof Parsed.Kept) {
            kept++;
        } else if (p instanceof Parsed.Quarantined) {
            quarantined++;
        } else {
            dropped.merge(((Parsed.Dropped) p).reason(), 1L, Long::sum);
        }
        return this;
    }

    public SourceTally merge(SourceTally o) {
        if (!o.source.equals(source)) {
            throw new IllegalArgumentException("cannot merge tally of '" + o.source + "' into '" + source + "'");
        }
        kept += o.kept;
        quarantined += o.quarantined;
        o.dropped.forEach((k, v) -> dropped.merge(k, v, Long::sum));
        return this;
    }

    /** Throws {@link IllegalStateException} naming the source when the outcomes do not add up to {@code rowsIn}. */
    public SourceCounts toCounts(long rowsIn) {
        return new SourceCounts(source, rowsIn, kept, quarantined, dropped);
    }
}
