package org.immunobench.curation.accounting;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.accounting.StageCounts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * Row accounting of one stage: rows in per source meet the stage's outputs, counted from the datasets themselves,
 * and {@link SourceCounts} refuses them unless rows in = kept + quarantined + dropped for every source.
 */
public final class StageTally {
    private StageTally() {
    }

    /** Rows per {@code source}. */
    public static Map<String, Long> bySource(Dataset<Row> rows) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : rows.groupBy("source").count().collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        return out;
    }

    /** Dropped rows ({@link DroppedRows#SCHEMA} or any frame with source and reason) per source and category. */
    public static Map<String, Map<String, Long>> droppedBySource(Dataset<Row> dropped) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Row r : dropped.groupBy(col("source"), DroppedRows.category(col("reason")).as("category")).count()
                .collectAsList()) {
            out.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
        }
        return out;
    }

    /**
     * The stage's counts, one entry per source in {@code sources} order; a source counted in an output but not
     * listed is an error, and so is a source whose rows do not add up (naming it and the numbers).
     */
    public static StageCounts counts(String stage, List<String> sources, Map<String, Long> rowsIn,
            Map<String, Long> kept, Map<String, Long> quarantined, Map<String, Map<String, Long>> dropped) {
        Set<String> known = new HashSet<>(sources);
        for (Map<String, ?> m : List.of(rowsIn, kept, quarantined, dropped)) {
            for (String s : m.keySet()) {
                if (!known.contains(s)) {
                    throw new IllegalStateException("stage '" + stage + "': rows of unknown source '" + s + "'");
                }
            }
        }
        List<SourceCounts> out = new ArrayList<>();
        for (String s : sources) {
            try {
                out.add(new SourceCounts(s, rowsIn.getOrDefault(s, 0L), kept.getOrDefault(s, 0L),
                        quarantined.getOrDefault(s, 0L), dropped.getOrDefault(s, Map.of())));
            } catch (IllegalStateException e) {
                throw new IllegalStateException("stage '" + stage + "': " + e.getMessage(), e);
            }
        }
        return new StageCounts(stage, out);
    }

    /** Kept rows per source of a finished stage: what the next stage takes in. */
    public static Map<String, Long> keptOf(StageCounts counts) {
        Map<String, Long> m = new TreeMap<>();
        counts.sources().forEach(c -> m.put(c.source(), c.kept()));
        return m;
    }
}
