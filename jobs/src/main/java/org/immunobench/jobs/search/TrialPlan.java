package org.immunobench.jobs.search;

import org.immunobench.training.attacks.AttackFactory;
import org.immunobench.training.attacks.AttackSpec;
import org.immunobench.training.attacks.HarmfulSftConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trials of a search, before any run: trial i takes the sampler's point i through the space's dimensions, on top
 * of the entry's {@code params} (a key in both is the search's: the entry's value is the fixed grid's, e.g. its
 * learning rate); its attack seed is {@code 100000 · search seed + i}; its eval steps are step 0 and its
 * {@link Rungs}. Checks the space against the entry, each error naming its key.
 */
public final class TrialPlan {
    /** Above this many trials two searches with neighbouring seeds would share attack seeds. */
    public static final int MAX_TRIALS = 100_000;

    /**
     * One trial.
     *
     * @param params the attack's hyper-parameters (fixed and sampled), without {@code steps} and {@code eval_steps}
     * @param seed the attack seed (data order, LoRA initialisation)
     */
    public record Trial(int index, Map<String, String> params, long seed, Rungs rungs) {
        public Trial {
            params = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
        }

        /** The attack spec the trial runs: its params, {@code steps} and its eval steps. */
        public AttackSpec spec(String kind) {
            Map<String, String> p = new TreeMap<>(params);
            p.put("steps", Integer.toString(rungs.last()));
            p.put("eval_steps", String.join(",", rungs.evalSteps().stream().map(String::valueOf).toList()));
            return new AttackSpec(kind, p, seed);
        }
    }

    private TrialPlan() {
    }

    /**
     * @param fixed the entry's {@code params}, as strings
     * @param gridKeys the keys the entry's {@code grid} sweeps: the search must sample them too, or a trial would
     *     silently take the attack's default
     * @param at the search's key path, e.g. {@code attacks[0].search}
     */
    public static List<Trial> of(String kind, Map<String, String> fixed, Collection<String> gridKeys, SearchConfig s,
            String at) {
        if (!AttackFactory.FINE_TUNING_KINDS.contains(kind)) {
            throw new IllegalArgumentException(at + ": searches run fine-tuning attacks " + AttackFactory
                    .FINE_TUNING_KINDS + " (their rungs are steps); kind " + kind + " has none");
        }
        if (s.trials() > MAX_TRIALS) {
            throw new IllegalArgumentException(at + ".trials: at most " + MAX_TRIALS + ", got " + s.trials());
        }
        for (String key : s.space().keySet()) {
            String where = at + ".space." + key;
            if (Set.of("eval_steps", "probe_every").contains(key)) {
                throw new IllegalArgumentException(where + ": the search sets the trials' eval steps itself (step 0"
                        + " and the rungs)");
            }
            if (key.equals("steps") && s.scheduler().asha()) {
                throw new IllegalArgumentException(where + ": under the asha scheduler a trial's steps are its"
                        + " resource (scheduler.max_resource, stopped early at the rungs); remove steps from the space"
                        + " or use scheduler: {kind: none}");
            }
        }
        for (String key : new java.util.TreeSet<>(gridKeys)) {
            if (!s.space().containsKey(key)) {
                throw new IllegalArgumentException(at + ".space: the grid sweeps " + key + ", which the search does"
                        + " not; add it to the space (e.g. " + key + ": {choice: [...]}) or fix it in params");
            }
        }
        List<String> keys = new ArrayList<>(s.space().keySet());
        List<double[]> points = new Sampler(s.sampler(), keys.size(), s.seed()).points(s.trials());
        List<Trial> out = new ArrayList<>(s.trials());
        for (int i = 0; i < s.trials(); i++) {
            Map<String, String> p = new TreeMap<>(fixed);
            if (s.scheduler().asha()) {
                p.remove("steps"); // the grid's steps; a trial's are the resource
            }
            double[] u = points.get(i);
            for (int d = 0; d < keys.size(); d++) {
                String v = s.space().get(keys.get(d)).value(u[d]);
                if (v == null) {
                    p.remove(keys.get(d)); // a null choice: the attack's default, not the grid's value
                } else {
                    p.put(keys.get(d), v);
                }
            }
            Rungs rungs;
            if (s.scheduler().asha()) {
                SearchConfig.Scheduler sc = s.scheduler();
                rungs = Rungs.asha(sc.minResource(), sc.maxResource(), sc.eta());
            } else {
                String steps = p.remove("steps");
                rungs = Rungs.none(steps == null ? HarmfulSftConfig.defaults(0).trainer().maxSteps()
                        : parseSteps(steps, at));
            }
            out.add(new Trial(i, p, s.seed() * MAX_TRIALS + i, rungs));
        }
        return out;
    }

    private static int parseSteps(String v, String at) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new IllegalArgumentException(at + ": a trial's steps must be >= 1, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at + ": steps must be an integer, got '" + v + "'");
        }
    }
}
