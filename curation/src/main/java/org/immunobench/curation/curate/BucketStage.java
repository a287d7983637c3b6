package org.immunobench.curation.curate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.curation.accounting.StageTally;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.GroupPercentiles;
import org.immunobench.curation.perplexity.PerplexityBuckets;
import org.immunobench.curation.report.StageReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * Stage 6 of the curate job: CCNet-style perplexity buckets. Exact percentiles of ppl per (source, domain) — the
 * bucket cut-offs and every percentile a policy will ask for, computed in one pass — then each row labelled
 * {@code head} / {@code middle} / {@code tail} (or the small-group label). The output is checkpointed: the policies
 * and the histograms read it again.
 */
public final class BucketStage {
    public static final String NAME = "buckets";

    /**
     * @param rows the scored rows with {@code ppl_bucket} set (checkpointed)
     * @param groups the percentiles of every (source, domain) group, for the policies and the report
     * @param bucketCounts rows per bucket label, per source
     */
    public record Result(Dataset<Row> rows, List<GroupPercentiles> groups, Map<String, Map<String, Long>> bucketCounts,
            StageReport report) {
    }

    private BucketStage() {
    }

    /**
     * @param scored rows with {@code ppl} set (null for unscorable rows)
     * @param rowsIn rows per source entering the stage (the accounting checks nothing is lost)
     */
    public static Result run(Dataset<Row> scored, List<String> sources, Map<String, Long> rowsIn,
            BucketScheme buckets, List<CurationPolicy> policies) {
        long t0 = System.nanoTime();
        List<Double> percents = new ArrayList<>(buckets.cutoffs());
        policies.forEach(p -> percents.addAll(p.percentiles()));
        List<GroupPercentiles> groups = GroupPercentiles.of(scored, new ArrayList<>(new TreeSet<>(percents)));
        Dataset<Row> bucketed = Checkpoints.cut(PerplexityBuckets.assign(scored, buckets, groups));
        long small = groups.stream().filter(g -> g.n() < buckets.minGroupRows()).count();
        Map<String, Map<String, Long>> counts = bucketCounts(bucketed);
        StageReport report = new StageReport("buckets: percentile cut-offs " + buckets.cutoffs()
                + " of ppl per (source, domain) → " + buckets.labels() + " (exact percentiles, linear interpolation)",
                StageTally.counts(NAME, sources, rowsIn, StageTally.bySource(bucketed), Map.of(), Map.of()),
                (System.nanoTime() - t0) / 1e9,
                List.of(groups.size() + " groups, " + small + " under min_group_rows " + buckets.minGroupRows()
                        + " (bucket '" + BucketScheme.SMALL_GROUP + "')", "rows per bucket: " + counts));
        return new Result(bucketed, groups, counts, report);
    }

    private static Map<String, Map<String, Long>> bucketCounts(Dataset<Row> rows) {
        Map<String, Map<String, Long>> m = new TreeMap<>();
        for (Row r : rows.filter(col("ppl_bucket").isNotNull()).groupBy("source", "ppl_bucket").count()
                .collectAsList()) {
            m.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
        }
        return m;
    }
}
