package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.Tracks;

import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Which rows make up the table of a track, for pillar and metric rows alike (both have {@code track},
 * {@code defence} and {@code parent_id}). The open-weight table holds open_weight rows only: a fine-tuning-stage
 * defence answers another threat model and must never be ranked there. The fine-tuning-stage table holds the
 * finetuning_stage rows plus their baseline, the plain attack on the same checkpoint: the open_weight rows with
 * defence {@code none} of the parents that have fine-tuning-stage rows.
 */
final class TrackScope {
    private TrackScope() {
    }

    /** The filter selecting the rows of {@code track}'s table in {@code rows}. */
    static Column of(Dataset<Row> rows, String track) {
        Column openWeight = col("track").equalTo(Tracks.OPEN_WEIGHT);
        return switch (track) {
            case Tracks.OPEN_WEIGHT -> openWeight;
            case Tracks.FINETUNING_STAGE -> {
                Column fineTuning = col("track").equalTo(Tracks.FINETUNING_STAGE);
                List<Object> parents = rows.filter(fineTuning).select("parent_id").distinct().collectAsList()
                        .stream().map(r -> (Object) r.getString(0)).toList();
                yield fineTuning.or(openWeight.and(col("defence").equalTo("none"))
                        .and(col("parent_id").isin(parents.toArray())));
            }
            default -> throw new IllegalArgumentException("track '" + track + "' is unknown; known: " + Tracks.ALL);
        };
    }

    /** Whether {@code rows} hold any row of {@code track} itself (baseline rows aside). */
    static boolean present(Dataset<Row> rows, String track) {
        return !rows.filter(col("track").equalTo(track)).isEmpty();
    }
}
