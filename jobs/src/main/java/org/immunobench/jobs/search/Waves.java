package org.immunobench.jobs.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drives searches wave by wave: trials 0 … W−1 of a search are its wave 0, W … 2W−1 its wave 1, and so on. Wave w of
 * every search runs together (one Spark job); each of its trials carries the scores the committed trials of waves
 * before w made at each rung. Because a trial's history is fixed by the ledger, not by timing:
 * <ul>
 *   <li>a search gives the same trials, decisions and rows however the tasks are scheduled;</li>
 *   <li>after a kill, a rerun finds the committed trials in the ledger and runs only the others, each with the very
 *       history it would have had; a stopped trial is committed and so never runs again;</li>
 *   <li>a failed trial is absent from the ledger: later waves go on without its scores and the next run retries it
 *       (the trials after it keep the decisions they made without it).</li>
 * </ul>
 */
public final class Waves {
    /** The shape of one search: its number of trials and wave size. */
    public record Shape(int trials, int wave) {
        public Shape {
            if (trials < 1 || wave < 1) {
                throw new IllegalArgumentException("a search needs trials >= 1 and wave >= 1");
            }
        }

        int waves() {
            return (trials + wave - 1) / wave;
        }
    }

    /** A trial to run: which search, which trial, and its history (rung step → earlier scores). */
    public record Pending(int search, int trial, Map<Integer, List<Score>> history) {
    }

    /** The committed trials of a search, by trial index (read from the ledger, again before every wave). */
    @FunctionalInterface
    public interface Ledger {
        Map<Integer, TrialResult> committed(int search);
    }

    /** Runs one wave's pending trials (of every search) and commits those that succeed. */
    @FunctionalInterface
    public interface Runner {
        void run(int wave, List<Pending> pending);
    }

    private Waves() {
    }

    /** @return the number of trials handed to the runner */
    public static int run(List<Shape> searches, Ledger ledger, Runner runner) {
        int waves = searches.stream().mapToInt(Shape::waves).max().orElse(0);
        int ran = 0;
        for (int w = 0; w < waves; w++) {
            List<Pending> pending = new ArrayList<>();
            for (int s = 0; s < searches.size(); s++) {
                Shape shape = searches.get(s);
                if (w >= shape.waves()) {
                    continue;
                }
                Map<Integer, TrialResult> done = ledger.committed(s);
                int first = w * shape.wave();
                int end = Math.min(shape.trials(), first + shape.wave());
                Map<Integer, List<Score>> history = null;
                for (int t = first; t < end; t++) {
                    if (!done.containsKey(t)) {
                        if (history == null) {
                            history = history(done, first);
                        }
                        pending.add(new Pending(s, t, history));
                    }
                }
            }
            if (!pending.isEmpty()) {
                runner.run(w, pending);
                ran += pending.size();
            }
        }
        return ran;
    }

    /** Rung step → the scores of the committed trials with index below {@code before}, in trial order. */
    static Map<Integer, List<Score>> history(Map<Integer, TrialResult> done, int before) {
        Map<Integer, List<Score>> out = new TreeMap<>();
        new TreeMap<>(done).headMap(before).values().forEach(r -> r.scores()
                .forEach(s -> out.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(s)));
        out.replaceAll((k, v) -> List.copyOf(v));
        return out;
    }
}
