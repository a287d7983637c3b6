package org.immunobench.evaluation.leaderboard;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ranked checkpoint.
 *
 * @param rank 1-based competition rank (tied rows share the rank, the next row skips)
 * @param tied whether the rank is shared with a neighbour (its interval overlaps)
 * @param label the defence, with the checkpoint id's first 8 characters when the defence has several checkpoints
 * @param values raw figures by column key; null where the input had none
 * @param nSeeds seeds behind the ordering metric, null when it is missing
 * @param orderSpread the ordering metric's standard deviation over seeds
 * @param orderCiLow lower end of its 95% interval
 * @param orderCiHigh upper end
 * @param breaksStability benign accuracy dropped by more than the tolerance
 * @param cells display strings, aligned with {@link LeaderboardTable#headers()}
 */
public record LeaderboardRow(int rank, boolean tied, String label, String defence, String checkpointId,
        Map<String, Double> values, Integer nSeeds, Double orderSpread, Double orderCiLow, Double orderCiHigh,
        boolean breaksStability, List<String> cells) {

    public LeaderboardRow {
        // Not Map.copyOf: missing figures are null values, and column order is kept for readers.
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        cells = List.copyOf(cells);
    }

    /** The raw figure of a column key, null when missing. */
    public Double value(String key) {
        return values.get(key);
    }
}
