package org.immunobench.jobs.search;

import org.immunobench.evaluation.pillars.PillarMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hyper-parameter search of one attack entry ({@code attacks[i].search}, docs/experiment-config.md): on every
 * checkpoint the entry attacks, {@code trials} attacks whose hyper-parameters a {@link Sampler} draws from
 * {@code space}, the entry's {@code params} fixed, stopped early by {@link SuccessiveHalving} at rungs of steps, run
 * {@code wave} trials at a time. Bound by {@link org.immunobench.lm.config.ConfigBinder}; every check names its key.
 *
 * @param trials trials per (checkpoint, entry); default 16
 * @param seed seed of the sampler and of the trials' attack seeds; default 0
 * @param sampler {@code random}, {@code sobol} or {@code halton}; default {@code sobol}
 * @param wave trials started together; a trial's stopping decisions see the trials of earlier waves only, which makes
 *     them independent of scheduling (default 4)
 * @param space hyper-parameter → {@link Dimension}; keys are the attack's parameters
 * @param scheduler how trials are stopped early; default ASHA
 * @param epsilons benign-accuracy budgets ε (points) of the bounded worst cases; default [1, 3, 5, 10]
 */
public record SearchConfig(Integer trials, Long seed, String sampler, Integer wave, Map<String, Dimension> space,
        Scheduler scheduler, List<Double> epsilons) {
    public static final List<Double> DEFAULT_EPSILONS = List.of(1.0, 3.0, 5.0, 10.0);

    public SearchConfig {
        trials = trials == null ? 16 : trials;
        if (trials < 1) {
            throw new IllegalArgumentException("trials: must be >= 1, got " + trials);
        }
        seed = seed == null ? 0L : seed;
        sampler = sampler == null ? "sobol" : sampler;
        if (!Sampler.KINDS.contains(sampler)) {
            throw new IllegalArgumentException("sampler: '" + sampler + "' is unknown; known: " + Sampler.KINDS);
        }
        wave = wave == null ? 4 : wave;
        if (wave < 1) {
            throw new IllegalArgumentException("wave: must be >= 1, got " + wave);
        }
        if (space == null || space.isEmpty()) {
            throw new IllegalArgumentException("space: at least one hyper-parameter to search is needed, e.g."
                    + " space: {lr: {log_uniform: [1.0e-5, 1.0e-2]}}");
        }
        space = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(space));
        if (scheduler == null) {
            try {
                scheduler = new Scheduler(null, null, null, null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scheduler." + e.getMessage(), e);
            }
        }
        epsilons = epsilons == null ? DEFAULT_EPSILONS : epsilons;
        List<Double> checked = new ArrayList<>();
        for (int i = 0; i < epsilons.size(); i++) {
            Double e = epsilons.get(i);
            if (e == null || !Double.isFinite(e) || e < 0) {
                throw new IllegalArgumentException("epsilons[" + i + "]: must be a finite number >= 0, got " + e);
            }
            if (i > 0 && !(e > checked.get(i - 1))) {
                throw new IllegalArgumentException("epsilons[" + i + "]: must be greater than epsilons[" + (i - 1)
                        + "] (sorted, distinct), got " + e);
            }
            if (i > 0 && PillarMetrics.boundedWorstCase(e).equals(PillarMetrics.boundedWorstCase(checked.get(i - 1)))) {
                throw new IllegalArgumentException("epsilons[" + i + "]: " + e + " has the metric name of " + checked
                        .get(i - 1));
            }
            checked.add(e);
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("epsilons: at least one budget is needed");
        }
        epsilons = List.copyOf(checked);
    }

    /**
     * How trials are stopped early.
     *
     * @param kind {@code asha} (asynchronous successive halving, {@link SuccessiveHalving}) or {@code none} (every
     *     trial runs all its steps); default {@code asha}
     * @param eta reduction factor η ≥ 2: about 1/η of the trials reaching a rung go on; default 3
     * @param minResource steps of the first rung; default max(1, max_resource / η²), i.e. three rungs
     * @param maxResource steps of a trial that is never stopped (the trial's {@code steps}); required for asha
     */
    public record Scheduler(String kind, Integer eta, Integer minResource, Integer maxResource) {
        public static final List<String> KINDS = List.of("asha", "none");

        public Scheduler {
            kind = kind == null ? "asha" : kind;
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind: '" + kind + "' is unknown; known: " + KINDS);
            }
            if (kind.equals("none")) {
                if (eta != null || minResource != null || maxResource != null) {
                    throw new IllegalArgumentException("kind: none stops no trial, so eta, min_resource and"
                            + " max_resource do not apply; remove them (a trial runs its own steps)");
                }
            } else {
                eta = eta == null ? 3 : eta;
                if (eta < 2) {
                    throw new IllegalArgumentException("eta: must be >= 2, got " + eta);
                }
                if (maxResource == null) {
                    throw new IllegalArgumentException("max_resource: required with kind asha (the steps of a trial"
                            + " that is never stopped)");
                }
                if (maxResource < 1) {
                    throw new IllegalArgumentException("max_resource: must be >= 1, got " + maxResource);
                }
                minResource = minResource == null ? Math.max(1, maxResource / (eta * eta)) : minResource;
                if (minResource < 1 || minResource > maxResource) {
                    throw new IllegalArgumentException("min_resource: must be in [1, max_resource = " + maxResource
                            + "], got " + minResource);
                }
            }
        }

        public boolean asha() {
            return kind.equals("asha");
        }
    }

    /** The keys of {@code space} that leave the attack's parameter unset for some trials (a null choice). */
    public List<String> optionalKeys() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Dimension> e : space.entrySet()) {
            if (e.getValue().choice() != null && e.getValue().choice().contains(null)) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
