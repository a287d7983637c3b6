package org.immunobench.curation.dedup;

import org.apache.spark.sql.Row;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExactDuplicatesTest {
    @Test
    void keepsFirstBySourceAndRowAndDropsTheRestWithReason() {
        CorpusRow a1 = CorpusRow.of("s1", 5, Splits.ATTACK, "d", CorpusRow.HARMFUL, "how to x", "do y");
        CorpusRow a2 = CorpusRow.of("s0", 9, Splits.ALIGN, "d", CorpusRow.HARMFUL, "how to x", "do y");
        CorpusRow a3 = CorpusRow.of("s1", 2, Splits.EVAL, "d", CorpusRow.HARMFUL, "how to x", "do y");
        CorpusRow b = CorpusRow.of("s1", 3, Splits.ATTACK, "d", CorpusRow.HARMFUL, "how to x", "do z");
        // The same source row read twice: still exactly one kept.
        CorpusRow c1 = CorpusRow.of("s2", 1, Splits.ALIGN, "d", CorpusRow.BENIGN, "hello", "");
        CorpusRow c2 = CorpusRow.of("s2", 1, Splits.ALIGN, "d", CorpusRow.BENIGN, "hello", "");
        List<CorpusRow> rows = new ArrayList<>(List.of(a1, a2, a3, b, c1, c2));
        var input = TestSpark.corpus(rows);

        ExactDuplicates.Result r = ExactDuplicates.run(input);
        List<Row> kept = r.kept().collectAsList();
        List<Row> dropped = r.dropped().collectAsList();
        assertEquals(rows.size(), kept.size() + dropped.size(), "kept + dropped = input");
        assertEquals(Set.of("s0:9", "s1:3", "s2:1"), kept.stream()
                .map(x -> x.getAs("source") + ":" + x.getAs("source_row")).collect(Collectors.toSet()));
        assertEquals(Set.of("s1:2", "s1:5", "s2:1"), dropped.stream()
                .map(x -> x.getAs("source") + ":" + x.getAs("source_row")).collect(Collectors.toSet()));
        for (Row d : dropped) {
            assertEquals(Dropped.EXACT_DUPLICATE_OF + d.getAs("id"), d.getAs(Dropped.REASON));
            assertEquals(1.0, (double) d.getAs(Dropped.JACCARD));
        }
        assertEquals(Arrays.asList(input.columns()), Arrays.asList(r.kept().columns()));
        List<String> droppedCols = new ArrayList<>(Arrays.asList(input.columns()));
        droppedCols.addAll(List.of(Dropped.REASON, Dropped.JACCARD));
        assertEquals(droppedCols, Arrays.asList(r.dropped().columns()));
    }
}
