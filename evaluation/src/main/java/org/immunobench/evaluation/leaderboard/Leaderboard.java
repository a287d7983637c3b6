package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.results.Tracks;

import java.util.List;
import java.util.Objects;

/**
 * Builds the leaderboard of a benchmark run from its pillar rows ({@link
 * org.immunobench.evaluation.results.PillarRow} schema): one ranked row per (defence, checkpoint_id), one table per
 * track ({@link Tracks}). The open-weight table never holds a fine-tuning-stage row; the fine-tuning-stage table holds
 * those rows and, as their baseline, the plain attack on the same checkpoint ({@link TrackScope}).
 */
public final class Leaderboard {
    private static final String JOB_DESCRIPTION = "spark.job.description";

    private Leaderboard() {
    }

    /** The open-weight table: {@link #build(SparkSession, Dataset, LeaderboardConfig, String)} of open_weight. */
    public static LeaderboardTable build(SparkSession spark, Dataset<Row> pillars, LeaderboardConfig config) {
        return build(spark, pillars, config, Tracks.OPEN_WEIGHT);
    }

    /** Whether the pillar rows hold rows of {@code track} (the fine-tuning-stage table is written only then). */
    public static boolean hasTrack(Dataset<Row> pillars, String track) {
        return TrackScope.present(pillars, track);
    }

    /**
     * @param track {@link Tracks#OPEN_WEIGHT} or {@link Tracks#FINETUNING_STAGE}: which table
     * @param spark the session the pillar rows belong to; its jobs are labelled "leaderboard" in the Spark UI while
     *     this runs
     * @throws IllegalArgumentException naming {@code order_by} when no pillar row in scope carries the ordering
     *     metric: a table ranked by nothing would look authoritative and mean nothing
     */
    public static LeaderboardTable build(SparkSession spark, Dataset<Row> pillars, LeaderboardConfig config,
            String track) {
        Objects.requireNonNull(config, "config");
        String description = spark.sparkContext().getLocalProperty(JOB_DESCRIPTION);
        spark.sparkContext().setJobDescription("leaderboard");
        Dataset<Row> scoped = PillarPivot.scoped(pillars.filter(TrackScope.of(pillars, track)),
                config.attackFamily()).cache();
        try {
            List<String> present = PillarPivot.presentKeys(scoped);
            if (!present.contains(config.orderBy())) {
                throw new IllegalArgumentException("order_by: no pillar rows for '" + config.orderBy()
                        + "' (attack family " + config.attackFamily()
                        + (track.equals(Tracks.OPEN_WEIGHT) ? "" : ", track " + track) + "); present: " + present);
            }
            List<LeaderboardColumn> columns = ColumnPlan.of(present, config.orderBy(),
                    config.headlineEpsilon());
            List<String> keys = new java.util.ArrayList<>(columns.stream().map(LeaderboardColumn::key).toList());
            if (!keys.contains(ColumnPlan.HARM_AT_RELEASE_KEY)) {
                keys.add(ColumnPlan.HARM_AT_RELEASE_KEY);
            }
            List<PillarPivot.Pivoted> rows = PillarPivot.pivot(scoped, keys, config.orderBy());
            OrderingRule rule = new OrderingRule(config.orderBy(), config.attackFamily(), direction(rows, config),
                    config.stabilityTolerance());
            return new LeaderboardTable(LeaderboardTable.headersFor(columns, config.orderBy()), columns,
                    Ranking.rank(rows, columns, rule), rule, track);
        } finally {
            scoped.unpersist();
            spark.sparkContext().setJobDescription(description);
        }
    }

    /** The ordering metric's higher_is_better; rows disagreeing means the pillar stage is broken, so say so. */
    private static boolean direction(List<PillarPivot.Pivoted> rows, LeaderboardConfig config) {
        List<Boolean> seen = rows.stream().map(PillarPivot.Pivoted::higherIsBetter).filter(Objects::nonNull)
                .distinct().toList();
        if (seen.size() != 1) {
            throw new IllegalStateException("pillar rows of '" + config.orderBy()
                    + "' disagree on higher_is_better: " + seen);
        }
        return seen.get(0);
    }
}
