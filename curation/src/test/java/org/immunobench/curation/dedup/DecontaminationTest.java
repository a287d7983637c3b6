package org.immunobench.curation.dedup;

import org.apache.spark.sql.Row;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecontaminationTest {
    private static final MinHashConfig CONFIG = MinHashConfig.defaults();

    @Test
    void dropsPlantedLeaksAndNeverEvalRows() {
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(21);
        List<CorpusRow> rows = new ArrayList<>();
        List<String[]> evalTexts = new ArrayList<>();
        List<CorpusRow> evalRows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String[] w = corpus.base(i);
            evalTexts.add(w);
            CorpusRow r = add(rows, corpus, w, i, i % 2 == 0 ? Splits.EVAL : Splits.BENIGN_EVAL, false);
            evalRows.add(r);
        }
        List<String[]> trainTexts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String[] w = corpus.base(1000 + i);
            trainTexts.add(w);
            add(rows, corpus, w, 1000 + i, i % 2 == 0 ? Splits.ATTACK : Splits.ALIGN, false);
        }
        Map<String, String> leaks = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String[] v = corpus.nearVariant(evalTexts.get(i), 2000 + i, 0.85, 5);
            leaks.put(add(rows, corpus, v, 2000 + i, Splits.ATTACK, true).id(), evalRows.get(i).id());
        }
        for (int i = 40; i < 60; i++) {
            // Exact copy: same prompt and response, so the same id as the eval row.
            CorpusRow copy = CorpusRow.of("leaky", 9000 + i, Splits.BENIGN_TRAIN, "d", CorpusRow.BENIGN,
                    evalRows.get(i).prompt(), evalRows.get(i).response());
            rows.add(copy);
            leaks.put(copy.id(), copy.id());
        }
        // Not leaks: far variants of eval rows in training, near variants among eval rows, near variants among
        // training rows.
        for (int i = 60; i < 90; i++) {
            add(rows, corpus, corpus.farVariant(evalTexts.get(i), 3000 + i, 0.5, 5), 3000 + i, Splits.ALIGN, false);
        }
        for (int i = 90; i < 100; i++) {
            add(rows, corpus, corpus.nearVariant(evalTexts.get(i), 4000 + i, 0.85, 5), 4000 + i,
                    Splits.HELDOUT_INDOMAIN, true);
        }
        for (int i = 0; i < 10; i++) {
            add(rows, corpus, corpus.nearVariant(trainTexts.get(i), 5000 + i, 0.85, 5), 5000 + i,
                    Splits.PRETRAIN, true);
        }
        long evalCount = rows.stream().filter(r -> Splits.isEval(r.split())).count();

        Decontamination.Result r = Decontamination.run(TestSpark.corpus(rows), CONFIG);
        List<Row> dropped = r.report().collectAsList();
        List<Row> kept = r.kept().select("id", "split").collectAsList();
        assertEquals(rows.size(), kept.size() + dropped.size(), "kept + dropped = input");
        assertEquals(evalCount, kept.stream().filter(k -> Splits.isEval(k.getString(1))).count(),
                "eval rows are never dropped");
        int caught = 0;
        for (Row d : dropped) {
            String id = d.getString(0);
            assertTrue(leaks.containsKey(id), "not a planted leak: " + d);
            assertTrue(!Splits.isEval(d.getString(3)), "eval row dropped: " + d);
            assertEquals(Dropped.CONTAMINATES + leaks.get(id), d.getString(4));
            assertTrue(d.getDouble(5) >= 0.85, d.toString());
            caught++;
        }
        double recall = (double) caught / leaks.size();
        System.out.printf("decontamination: %d of %d planted leaks dropped (recall %.4f), no false drops; %s%n",
                caught, leaks.size(), recall, r.stats());
        long exactCaught = dropped.stream().filter(d -> d.getDouble(5) == 1.0 && leaks.get(d.getString(0))
                .equals(d.getString(0))).count();
        assertEquals(20, exactCaught, "every exact leak");
        assertTrue(recall >= 0.95, "recall " + recall);
        assertEquals(caught, r.stats().contaminatingRows());
    }

    private static CorpusRow add(List<CorpusRow> rows, SyntheticDedupCorpus corpus, String[] words, long key,
            String split, boolean noisy) {
        String[] pr = corpus.render(words, key, noisy);
        CorpusRow r = CorpusRow.of("synthetic", rows.size() + 1, split, "d", CorpusRow.HARMFUL, pr[0], pr[1]);
        rows.add(r);
        return r;
    }
}
