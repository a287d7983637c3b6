package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.testing.TestSpark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NearDuplicatesTest {
    private static final MinHashConfig CONFIG = MinHashConfig.defaults();

    /** Planted families: 2000 base texts, 800 near variants (J ≥ 0.85) of 600 of them, 400 far ones (J ≤ 0.5). */
    private record Planted(List<CorpusRow> rows, Map<String, Integer> family, Map<String, String> positiveBase) {
    }

    private static Planted plant() {
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(7);
        List<CorpusRow> rows = new ArrayList<>();
        Map<String, Integer> family = new HashMap<>();
        Map<String, String> positiveBase = new HashMap<>();
        double minNear = 1;
        double maxFar = 0;
        String[][] bases = new String[2000][];
        String[] baseIds = new String[2000];
        for (int b = 0; b < bases.length; b++) {
            bases[b] = corpus.base(b);
            CorpusRow r = row(corpus, rows.size(), bases[b], b, false);
            rows.add(r);
            family.put(r.id(), b);
            baseIds[b] = r.id();
        }
        for (int b = 0; b < 600; b++) {
            for (int copy = 0; copy < (b < 200 ? 2 : 1); copy++) {
                long key = 10_000L * (copy + 1) + b;
                String[] v = corpus.nearVariant(bases[b], key, 0.85, 5);
                minNear = Math.min(minNear, Jaccard.of(String.join(" ", bases[b]), String.join(" ", v), 5));
                CorpusRow r = row(corpus, rows.size(), v, key, true);
                rows.add(r);
                family.put(r.id(), b);
                positiveBase.put(r.id(), baseIds[b]);
            }
        }
        for (int b = 1000; b < 1400; b++) {
            String[] v = corpus.farVariant(bases[b], 30_000L + b, 0.5, 5);
            maxFar = Math.max(maxFar, Jaccard.of(String.join(" ", bases[b]), String.join(" ", v), 5));
            CorpusRow r = row(corpus, rows.size(), v, 30_000L + b, false);
            rows.add(r);
            family.put(r.id(), 100_000 + b);
        }
        assertTrue(minNear >= 0.85 && maxFar <= 0.5, "planted Jaccards: near >= " + minNear + ", far <= " + maxFar);
        assertEquals(rows.size(), family.size(), "planted texts must be distinct");
        return new Planted(rows, family, positiveBase);
    }

    private static CorpusRow row(SyntheticDedupCorpus corpus, int n, String[] words, long key, boolean noisy) {
        String[] pr = corpus.render(words, key, noisy);
        return CorpusRow.of("synthetic", n + 1, Splits.ATTACK, "d", CorpusRow.HARMFUL, pr[0], pr[1]);
    }

    @Test
    void recallAndPrecisionOnPlantedNearDuplicates() {
        Planted p = plant();
        Dataset<Row> input = TestSpark.corpus(p.rows());
        NearDuplicates.Result r = NearDuplicates.run(input, CONFIG);
        List<Row> dropped = r.dropped().select("id", Dropped.REASON, Dropped.JACCARD).collectAsList();
        long kept = r.kept().count();
        assertEquals(p.rows().size(), kept + dropped.size(), "kept + dropped = input");
        assertEquals(Arrays.asList(input.columns()), Arrays.asList(r.kept().columns()));
        List<String> droppedCols = new ArrayList<>(Arrays.asList(input.columns()));
        droppedCols.addAll(List.of(Dropped.REASON, Dropped.JACCARD));
        assertEquals(droppedCols, Arrays.asList(r.dropped().columns()));

        Map<String, String> keepOf = new HashMap<>();
        for (Row d : dropped) {
            String reason = d.getString(1);
            assertTrue(reason.startsWith(Dropped.NEAR_DUPLICATE_OF), reason);
            keepOf.put(d.getString(0), reason.substring(Dropped.NEAR_DUPLICATE_OF.length()));
        }
        int found = 0;
        for (Map.Entry<String, String> e : p.positiveBase().entrySet()) {
            if (keepOf.getOrDefault(e.getKey(), e.getKey()).equals(keepOf.getOrDefault(e.getValue(),
                    e.getValue()))) {
                found++;
            }
        }
        int correct = 0;
        for (Map.Entry<String, String> e : keepOf.entrySet()) {
            if (p.family().get(e.getKey()).equals(p.family().get(e.getValue()))) {
                correct++;
            }
            assertTrue(e.getValue().compareTo(e.getKey()) < 0, "kept row must have the smallest id");
        }
        double recall = (double) found / p.positiveBase().size();
        double precision = keepOf.isEmpty() ? 1.0 : (double) correct / keepOf.size();
        System.out.printf("near duplicates on %d rows (%d planted J>=0.85 variants, 400 J<=0.5 negatives): "
                + "recall %.4f (%d/%d), precision %.4f (%d/%d); %s%n", p.rows().size(), p.positiveBase().size(),
                recall, found, p.positiveBase().size(), precision, correct, keepOf.size(), r.stats());
        assertTrue(recall >= 0.95, "recall " + recall);
        assertTrue(precision >= 0.95, "precision " + precision);
    }

    @Test
    void sameSeedSameResult() {
        List<CorpusRow> rows = plant().rows().subList(0, 2600);
        TreeMap<String, String> first = droppedReasons(rows, CONFIG);
        TreeMap<String, String> second = droppedReasons(rows, CONFIG);
        assertEquals(first, second);
        assertTrue(first.size() > 500, "dropped " + first.size());
    }

    /** a~b and b~c at J ≈ 0.90, a and c only 0.81 < 0.85: one component, kept = smallest id. */
    @Test
    void chainFormsOneCluster() {
        String[] a = ShinglesJaccardTest.words(100).split(" ");
        String[] b = a.clone();
        b[30] = "bee";
        String[] c = b.clone();
        c[70] = "sea";
        MinHashConfig config = CONFIG.withJaccardThreshold(0.85);
        String ta = String.join(" ", a);
        String tb = String.join(" ", b);
        String tc = String.join(" ", c);
        assertTrue(Jaccard.of(ta, tb, 5) >= 0.85 && Jaccard.of(tb, tc, 5) >= 0.85, "chain links");
        assertTrue(Jaccard.of(ta, tc, 5) < 0.85, "chain ends must not be similar");

        List<CorpusRow> rows = new ArrayList<>();
        rows.add(CorpusRow.of("s", 1, Splits.ALIGN, "d", CorpusRow.BENIGN, ta, ""));
        rows.add(CorpusRow.of("s", 2, Splits.ALIGN, "d", CorpusRow.BENIGN, tb, ""));
        rows.add(CorpusRow.of("s", 3, Splits.EVAL, "d", CorpusRow.BENIGN, tc, ""));
        SyntheticDedupCorpus corpus = new SyntheticDedupCorpus(3);
        for (int i = 0; i < 20; i++) {
            rows.add(row(corpus, 3 + i, corpus.base(i), i, false));
        }
        String smallest = rows.subList(0, 3).stream().map(CorpusRow::id).min(String::compareTo).orElseThrow();
        NearDuplicates.Result r = NearDuplicates.run(TestSpark.corpus(rows), config);
        assertEquals(2, r.stats().verifiedPairs(), r.stats().toString());
        assertEquals(3, r.stats().clusteredRows());
        List<Row> dropped = r.dropped().select("id", Dropped.REASON, Dropped.JACCARD).collectAsList();
        assertEquals(2, dropped.size());
        for (Row d : dropped) {
            assertEquals(Dropped.NEAR_DUPLICATE_OF + smallest, d.getString(1));
        }
        assertEquals(21, r.kept().count());
        System.out.printf("chain a~b~c: dropped %s%n", dropped);
    }

    @Test
    void missingColumnIsNamed() {
        Dataset<Row> noResponse = TestSpark.corpus(List.of(CorpusRow.of("s", 1, Splits.ALIGN, "d",
                CorpusRow.BENIGN, "p", "r"))).drop("response");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NearDuplicates.run(noResponse, CONFIG));
        assertTrue(e.getMessage().contains("'response'"), e.getMessage());
    }

    private static TreeMap<String, String> droppedReasons(List<CorpusRow> rows, MinHashConfig config) {
        NearDuplicates.Result r = NearDuplicates.run(TestSpark.corpus(rows), config);
        TreeMap<String, String> out = new TreeMap<>();
        for (Row d : r.dropped().select("id", Dropped.REASON).collectAsList()) {
            out.put(d.getString(0), d.getString(1));
        }
        return out;
    }
}
