package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.evaluation.results.Tracks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.RecordSchema;

import static org.apache.spark.sql.functions.col;

/**
 * Builds the leaderboard of a benchmark run from its pillar rows ({@link
 * org.immunobench.evaluation.results.PillarRow} schema): one ranked row per (defence, checkpoint_id), one table per
 * track ({@link Tracks}). The open-weight table never holds a fine-tuning-stage row; the fine-tuning-stage table holds
 * those rows and, as their baseline, the plain attack on the same checkpoint ({@link TrackScope}).
 */
public final class Leaderboard {
    private static final String JOB_DESCRIPTION = "spark.job.description";
    private static final RecordSchema<PillarRow> PILLAR_ROWS = RecordSchema.of(PillarRow.class);

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
        Dataset<Row> inTrack = pillars.filter(TrackScope.of(pillars, track));
        Dataset<Row> scoped = PillarPivot.scoped(inTrack, config.attackFamily()).cache();
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
            List<LeaderboardRow> ranked = Ranking.rank(rows, columns, rule);
            return new LeaderboardTable(LeaderboardTable.headersFor(columns, config.orderBy()), columns, ranked,
                    rule, track, figures(scoped), winRates(inTrack, config, ranked));
        } finally {
            scoped.unpersist();
            spark.sparkContext().setJobDescription(description);
        }
    }

    /**
     * Every scoped pillar row of each (defence, checkpoint), keyed {@code <pillar>.<metric>}, pillars in their usual
     * order ({@link LeaderboardConfig#PILLARS}) then metrics by name: the drill-down.
     */
    private static Map<String, Map<String, PillarRow>> figures(Dataset<Row> scoped) {
        java.util.Comparator<String> byPillar = java.util.Comparator
                .comparingInt((String key) -> {
                    int at = LeaderboardConfig.PILLARS.indexOf(LeaderboardColumn.ofKey(key).pillar());
                    return at < 0 ? Integer.MAX_VALUE : at;
                })
                .thenComparing(java.util.Comparator.naturalOrder());
        Map<String, Map<String, PillarRow>> out = new TreeMap<>();
        for (Row r : scoped.collectAsList()) {
            PillarRow p = PILLAR_ROWS.fromRow(r);
            out.computeIfAbsent(WinRates.rowId(p.defence(), p.checkpointId()), k -> new TreeMap<>(byPillar))
                    .put(p.pillar() + "." + p.metric(), p);
        }
        return out;
    }

    /**
     * Win rates across attack families of the ordering figure when it is an attack figure (resistance or
     * generalisation), else of resistance auc_harm_log_steps, among the table's rows.
     */
    private static WinRates winRates(Dataset<Row> inTrack, LeaderboardConfig config, List<LeaderboardRow> rows) {
        boolean attackFigure = config.orderPillar().equals("resistance") || config.orderPillar().equals("generalisation");
        String pillar = attackFigure ? config.orderPillar() : "resistance";
        String metric = attackFigure ? config.orderMetric() : "auc_harm_log_steps";
        java.util.Set<String> ids = new java.util.HashSet<>();
        rows.forEach(r -> ids.add(WinRates.rowId(r.defence(), r.checkpointId())));
        List<WinRates.Entry> entries = new ArrayList<>();
        Boolean higherIsBetter = null;
        for (Row r : inTrack.filter(col("pillar").equalTo(pillar).and(col("metric").equalTo(metric)))
                .select("defence", "checkpoint_id", "attack_family", "value", "higher_is_better").collectAsList()) {
            String id = WinRates.rowId(r.getString(0), r.getString(1));
            if (ids.contains(id)) {
                entries.add(new WinRates.Entry(id, r.getString(2), r.getDouble(3)));
                higherIsBetter = higherIsBetter == null ? r.getBoolean(4) : higherIsBetter;
            }
        }
        return WinRates.of(pillar, metric, Boolean.TRUE.equals(higherIsBetter), entries);
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
