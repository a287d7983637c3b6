package org.immunobench.evaluation.pillars;

import org.immunobench.evaluation.results.Tracks;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The undefended baseline of a checkpoint: the checkpoint with defence {@code none}, the same parent and the baseline
 * track ({@link Tracks#baselineTrack}: the same track for open-weight rows; open_weight for fine-tuning-stage rows,
 * whose baseline is the plain attack on the same checkpoint). A (parent, track) with two different undefended
 * checkpoints is an error (the baseline would be ambiguous); a checkpoint without one has no baseline, and its delta
 * figures are NaN.
 */
final class Baselines {
    static final String NONE = "none";

    /** Where a figure of a checkpoint is filed, so that the baseline's figure can be found by its checkpoint id. */
    record Key(String checkpointId, String track, String attackFamily, String judge, String metric) {
        static Key of(Subject s, String metric) {
            return new Key(s.checkpointId(), s.track(), s.attackFamily(), s.judge(), metric);
        }

        /** The same figure of the baseline checkpoint, on the baseline track. */
        Key on(String baselineCheckpoint) {
            return new Key(baselineCheckpoint, Tracks.baselineTrack(track), attackFamily, judge, metric);
        }
    }

    private record ParentTrack(String parentId, String track) implements Comparable<ParentTrack> {
        @Override
        public int compareTo(ParentTrack o) {
            int c = parentId.compareTo(o.parentId);
            return c != 0 ? c : track.compareTo(o.track);
        }
    }

    private final Map<ParentTrack, String> byParentAndTrack;

    private Baselines(Map<ParentTrack, String> byParentAndTrack) {
        this.byParentAndTrack = byParentAndTrack;
    }

    static Baselines of(List<Run> runs) {
        // (parent, track) → undefended checkpoint → its first task (for the error message)
        Map<ParentTrack, TreeMap<String, String>> found = new TreeMap<>();
        for (Run r : runs) {
            if (r.defence().equals(NONE)) {
                found.computeIfAbsent(new ParentTrack(r.parentId(), r.track()), k -> new TreeMap<>())
                        .putIfAbsent(r.checkpointId(), r.taskId());
            }
        }
        Map<ParentTrack, String> unique = new TreeMap<>();
        found.forEach((k, checkpoints) -> {
            if (checkpoints.size() > 1) {
                var a = checkpoints.firstEntry();
                var b = checkpoints.higherEntry(a.getKey());
                throw new IllegalArgumentException("parent " + k.parentId() + " (track " + k.track()
                        + ") has more than one undefended checkpoint: " + a.getKey() + " (task " + a.getValue()
                        + ") and " + b.getKey() + " (task " + b.getValue() + "); the baseline must be unique");
            }
            unique.put(k, checkpoints.firstKey());
        });
        return new Baselines(unique);
    }

    /** The baseline checkpoint of {@code s}: defence none, same parent, on the baseline track of s's track. */
    Optional<String> checkpointOf(Subject s) {
        return Optional.ofNullable(byParentAndTrack.get(new ParentTrack(s.parentId(),
                Tracks.baselineTrack(s.track()))));
    }
}
