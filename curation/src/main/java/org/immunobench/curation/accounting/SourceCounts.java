package org.immunobench.curation.accounting;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Row accounting of one source through one stage: {@code rowsIn = kept + quarantined + Σ dropped}, checked on
 * construction, so a stage that loses rows fails loudly, naming the source, instead of shrinking the corpus.
 *
 * @param dropped rows dropped on purpose, by reason (e.g. {@code blank line}, {@code exact duplicate})
 */
public record SourceCounts(String source, long rowsIn, long kept, long quarantined, Map<String, Long> dropped)
        implements Serializable {

    public SourceCounts {
        dropped = Collections.unmodifiableMap(new TreeMap<>(dropped));
        if (rowsIn < 0 || kept < 0 || quarantined < 0 || dropped.values().stream().anyMatch(v -> v < 0)) {
            throw new IllegalStateException("source '" + source + "': negative count in " + describe(source, rowsIn,
                    kept, quarantined, dropped));
        }
        long dropTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        if (rowsIn != kept + quarantined + dropTotal) {
            throw new IllegalStateException("source '" + source + "': rows do not add up: "
                    + describe(source, rowsIn, kept, quarantined, dropped) + " (off by "
                    + (rowsIn - kept - quarantined - dropTotal) + ")");
        }
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The counts of the same source over two parts of its input (e.g. two files). */
    public SourceCounts plus(SourceCounts o) {
        if (!source.equals(o.source)) {
            throw new IllegalArgumentException("cannot add counts of source '" + o.source + "' to '" + source + "'");
        }
        Map<String, Long> d = new TreeMap<>(dropped);
        o.dropped.forEach((k, v) -> d.merge(k, v, Long::sum));
        return new SourceCounts(source, rowsIn + o.rowsIn, kept + o.kept, quarantined + o.quarantined, d);
    }

    /** One line, e.g. {@code advbench: rows in 12 = kept 10 + quarantined 1 + dropped 1 (blank line 1)}. */
    public String summary() {
        return describe(source, rowsIn, kept, quarantined, dropped);
    }

    private static String describe(String source, long in, long kept, long quarantined, Map<String, Long> dropped) {
        long dropTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder().append(source).append(": rows in ").append(in).append(" = kept ")
                .append(kept).append(" + quarantined ").append(quarantined).append(" + dropped ").append(dropTotal);
        if (!dropped.isEmpty()) {
            b.append(" (");
            String sep = "";
            for (Map.Entry<String, Long> e : dropped.entrySet()) {
                b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
                sep = ", ";
            }
            b.append(')');
        }
        return b.toString();
    }
}
