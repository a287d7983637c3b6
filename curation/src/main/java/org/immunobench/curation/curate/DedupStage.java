package org.immunobench.curation.curate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.curation.accounting.DroppedRows;
import org.immunobench.curation.accounting.StageCounts;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.dedup.Decontamination;
import org.immunobench.curation.dedup.Dropped;
import org.immunobench.curation.dedup.ExactDuplicates;
import org.immunobench.curation.dedup.MinHashConfig;
import org.immunobench.curation.dedup.NearDuplicates;
import org.immunobench.curation.report.StageReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stages 3 and 4 of the curate job: decontamination, then exact, then near duplicates. Decontamination runs first
 * although one might expect it after dedup: exact and near dedup are split-agnostic and would settle an eval/training
 * duplicate pair by keeping whichever row sorts first, sometimes the training copy — losing the eval row and hiding
 * the leak. Each sub-stage's output is checkpointed (the near-dup stage reads its input three times) and counted.
 */
public final class DedupStage {
    public static final String DECONTAMINATE = "decontaminate";
    public static final String EXACT = "exact_dedup";
    public static final String NEAR = "near_dedup";

    /**
     * @param dropped {@link DroppedRows#SCHEMA}
     * @param contamination the leak list: id, source, source_row, split, reason ({@code contaminates:<eval id>}),
     *     jaccard; empty when decontamination is off
     */
    public record Result(Dataset<Row> kept, Dataset<Row> dropped, Dataset<Row> contamination,
            List<StageReport> stages) {
    }

    private DedupStage() {
    }

    public static Result run(Dataset<Row> rows, List<String> sources, Map<String, Long> rowsIn, MinHashConfig config,
            boolean decontaminate) {
        List<StageReport> stages = new ArrayList<>();
        Dataset<Row> current = rows;
        Map<String, Long> in = rowsIn;
        Dataset<Row> contamination;
        Dataset<Row> dropped;

        if (decontaminate) {
            long t0 = System.nanoTime();
            Decontamination.Result d = Decontamination.run(current, config);
            contamination = Checkpoints.cut(d.report());
            Dataset<Row> kept = Checkpoints.cut(d.kept());
            dropped = DroppedRows.of(contamination, Dropped.REASON, DECONTAMINATE);
            StageCounts counts = tally(DECONTAMINATE, sources, in, kept, dropped);
            Decontamination.Stats s = d.stats();
            stages.add(new StageReport("decontamination: training rows that duplicate or near-duplicate an eval row"
                    + " (Jaccard >= " + config.jaccardThreshold() + ")", counts, seconds(t0),
                    List.of("candidate pairs " + s.candidatePairs() + ", contaminating rows " + s.contaminatingRows()
                            + bucketNote(s.oversizedBuckets(), s.membersBeyondCap()))));
            current = kept;
            in = StageTally.keptOf(counts);
        } else {
            contamination = rows.sparkSession().createDataFrame(List.of(),
                    rows.select("id", "source", "source_row", "split").schema()
                            .add(Dropped.REASON, "string").add(Dropped.JACCARD, "double"));
            dropped = rows.sparkSession().createDataFrame(List.of(), DroppedRows.SCHEMA);
            stages.add(StageReport.skipped(DECONTAMINATE, "decontamination is off (config key decontamination)"));
        }

        long t0 = System.nanoTime();
        ExactDuplicates.Result e = ExactDuplicates.run(current);
        Dataset<Row> exactKept = Checkpoints.cut(e.kept());
        Dataset<Row> exactDropped = Checkpoints.cut(DroppedRows.of(e.dropped(), Dropped.REASON, EXACT));
        StageCounts exactCounts = tally(EXACT, sources, in, exactKept, exactDropped);
        stages.add(new StageReport("exact duplicates: same id (content hash of normalised prompt and response); the"
                + " first by (source, source_row) stays", exactCounts, seconds(t0), List.of()));

        t0 = System.nanoTime();
        NearDuplicates.Result n = NearDuplicates.run(exactKept, config);
        Dataset<Row> nearKept = Checkpoints.cut(n.kept());
        Dataset<Row> nearDropped = Checkpoints.cut(DroppedRows.of(n.dropped(), Dropped.REASON, NEAR));
        StageCounts nearCounts = tally(NEAR, sources, StageTally.keptOf(exactCounts), nearKept, nearDropped);
        NearDuplicates.Stats s = n.stats();
        stages.add(new StageReport("near duplicates: banded MinHash " + config.bands() + "x" + config.rows() + ", "
                + config.shingleSize() + "-word shingles, verified Jaccard >= " + config.jaccardThreshold()
                + "; the smallest id of each component stays", nearCounts, seconds(t0),
                List.of("candidate pairs " + s.candidatePairs() + ", verified pairs " + s.verifiedPairs()
                        + ", rows in clusters " + s.clusteredRows() + ", component rounds " + s.componentRounds()
                        + bucketNote(s.oversizedBuckets(), s.membersBeyondCap()))));

        return new Result(nearKept, dropped.unionByName(exactDropped).unionByName(nearDropped), contamination, stages);
    }

    private static StageCounts tally(String stage, List<String> sources, Map<String, Long> in, Dataset<Row> kept,
            Dataset<Row> dropped) {
        return StageTally.counts(stage, sources, in, StageTally.bySource(kept), Map.of(),
                StageTally.droppedBySource(dropped));
    }

    private static String bucketNote(long oversized, long beyond) {
        return oversized == 0 ? "" : "; " + oversized + " buckets over max_bucket_size, " + beyond
                + " members paired only with their bucket's first member";
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
