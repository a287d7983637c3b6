package org.immunobench.evaluation.leaderboard;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.evaluation.results.RecordSchema;
import org.immunobench.evaluation.results.Tracks;
import org.immunobench.evaluation.stats.StepCurves;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * The curves of the page's figures, picked from the run's {@link StepCurves}: the field's classic figure (harmful
 * rate against attack steps, one line per checkpoint) and each checkpoint's drill-down curves. Pillars summarise the
 * curves away, so they come from the metric rows. Only the rows of a table's track count, as in {@link TrackScope}:
 * the open-weight table's own rows; for the fine-tuning-stage table its rows plus the open-weight {@code none} rows
 * of the same parents (the plain attack on the same checkpoint).
 */
final class HarmCurves {
    private HarmCurves() {
    }

    /** The open-weight table's harm curves of plain metric rows: {@link #of(Dataset, String, String)}. */
    static SortedMap<String, SortedMap<Integer, Double>> of(Dataset<Row> metrics, String attackFamily) {
        return of(metrics, attackFamily, Tracks.OPEN_WEIGHT);
    }

    /** Mean resistance harmful rate per checkpoint and step over every config and seed of {@code attackFamily}. */
    static SortedMap<String, SortedMap<Integer, Double>> of(Dataset<Row> metrics, String attackFamily, String track) {
        SortedMap<String, SortedMap<Integer, Double>> out = new TreeMap<>();
        harm(StepCurves.withoutBands(rows(metrics)), attackFamily, track).forEach((label, curve) -> {
            SortedMap<Integer, Double> c = new TreeMap<>();
            curve.forEach((step, p) -> c.put(step, p.mean()));
            out.put(label, c);
        });
        return out;
    }

    /** The metric rows the curves need (rate and NLL metrics), read back as records. */
    static List<MetricRow> rows(Dataset<Row> metrics) {
        RecordSchema<MetricRow> schema = RecordSchema.of(MetricRow.class);
        return schema.fromRows(metrics.filter(col("metric").isin(StepCurves.METRICS.toArray())).collectAsList());
    }

    /**
     * The resistance harmful-rate curves (mean over configs and seeds) of {@code attackFamily} in {@code track}'s
     * table, labelled like the table: the defence, with the checkpoint id's first characters when a defence has
     * several checkpoints, and the judge in brackets when there are several judges.
     */
    static SortedMap<String, SortedMap<Integer, StepCurves.Point>> harm(
            SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> curves, String attackFamily,
            String track) {
        Set<String> parents = parentsOf(curves, track);
        List<StepCurves.Key> keys = curves.keySet().stream().filter(k -> k.pillar().equals("resistance")
                && k.metric().equals("harmful_rate") && k.attack().equals(attackFamily)
                && k.config().equals(StepCurves.ALL_CONFIGS) && inScope(k, track, parents)).toList();
        Map<String, Set<String>> checkpoints = keys.stream().collect(Collectors.groupingBy(StepCurves.Key::defence,
                Collectors.mapping(StepCurves.Key::checkpointId, Collectors.toCollection(TreeSet::new))));
        boolean judges = keys.stream().map(StepCurves.Key::judge).distinct().count() > 1;
        SortedMap<String, SortedMap<Integer, StepCurves.Point>> out = new TreeMap<>();
        for (StepCurves.Key k : keys) {
            String label = checkpoints.get(k.defence()).size() > 1 ? k.defence() + " ("
                    + k.checkpointId().substring(0, Math.min(RowLabels.ID_CHARS, k.checkpointId().length())) + ")"
                    : k.defence();
            out.put(judges ? label + " [" + k.judge() + "]" : label, curves.get(k));
        }
        return out;
    }

    /**
     * One table row's drill-down curves: harm per attack config (resistance, {@code attackFamily}) and harm under
     * the generalisation attacks, or (capability) refusal, fluency, benign accuracy and over-refusal along the
     * resistance attacks and the trainability metric along benign fine-tuning; every series named.
     */
    static Map<String, SortedMap<Integer, StepCurves.Point>> drill(
            SortedMap<StepCurves.Key, SortedMap<Integer, StepCurves.Point>> curves, LeaderboardRow row,
            String attackFamily, String track, boolean capability) {
        Set<String> parents = parentsOf(curves, track);
        Map<String, SortedMap<Integer, StepCurves.Point>> out = new LinkedHashMap<>();
        Map<String, String> configNames = ConfigNames.of(curves.keySet().stream().filter(k -> mine(k, row, track,
                parents) && k.pillar().equals("resistance") && k.attack().equals(attackFamily)
                && !k.config().equals(StepCurves.ALL_CONFIGS)).map(StepCurves.Key::config).distinct().toList());
        boolean judges = curves.keySet().stream().filter(k -> mine(k, row, track, parents)
                && k.metric().equals("harmful_rate")).map(StepCurves.Key::judge).distinct().count() > 1;
        curves.forEach((k, curve) -> {
            if (!mine(k, row, track, parents)) {
                return;
            }
            String judge = judges ? " [" + k.judge() + "]" : "";
            boolean all = k.config().equals(StepCurves.ALL_CONFIGS);
            if (!capability && k.metric().equals("harmful_rate")) {
                if (k.pillar().equals("resistance") && k.attack().equals(attackFamily) && !all) {
                    out.put("resistance, " + configNames.get(k.config()) + judge, curve);
                } else if (k.pillar().equals("generalisation") && all) {
                    out.put("generalisation, " + k.attack() + " (mean)" + judge, curve);
                }
            } else if (capability && all) {
                if (k.pillar().equals("resistance") && k.attack().equals(attackFamily) && List.of("refusal_rate",
                        "fluent_rate", "benign_accuracy", "over_refusal").contains(k.metric())) {
                    out.put(k.metric() + " along the attack" + judge, curve);
                } else if (k.pillar().equals("trainability") && k.metric().equals("task_accuracy")) {
                    out.put("task_accuracy, benign fine-tuning (" + k.attack() + ")" + judge, curve);
                }
            }
        });
        return out;
    }

    private static boolean mine(StepCurves.Key k, LeaderboardRow row, String track, Set<String> parents) {
        return k.defence().equals(row.defence()) && k.checkpointId().equals(row.checkpointId())
                && inScope(k, track, parents);
    }

    private static Set<String> parentsOf(SortedMap<StepCurves.Key, ?> curves, String track) {
        return curves.keySet().stream().filter(k -> k.track().equals(track)).map(StepCurves.Key::parentId)
                .collect(Collectors.toSet());
    }

    /** {@link TrackScope}'s rule on a curve. */
    static boolean inScope(StepCurves.Key k, String track, Set<String> parentsOfTrack) {
        if (track.equals(Tracks.OPEN_WEIGHT)) {
            return k.track().equals(Tracks.OPEN_WEIGHT);
        }
        return k.track().equals(track) || k.track().equals(Tracks.OPEN_WEIGHT) && k.defence().equals("none")
                && parentsOfTrack.contains(k.parentId());
    }
}
