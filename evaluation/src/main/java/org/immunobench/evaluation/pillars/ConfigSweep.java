package org.immunobench.evaluation.pillars;

import java.util.Map;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;

/**
 * The attacker's choice of hyper-parameters: for each config c of a group, x(c, s) = perRun(curve of seed s) and
 * agg(c) = acrossSeeds(x(c, ·)); the figure is agg(c*) for the config c* with the highest agg (the strongest
 * attack for harm) or the lowest (the fastest break, the lowest NLL). Ties go to the config whose JSON sorts first,
 * so the choice (and with it the spread) is deterministic.
 */
final class ConfigSweep {
    private ConfigSweep() {
    }

    /**
     * @param config the chosen attack config
     * @param runs its curves by seed
     * @param perSeed x(c*, s) in seed order
     * @param value agg(c*)
     */
    record Choice(String config, SortedMap<Long, Curve> runs, double[] perSeed, double value) {
        /** The value with spread and interval over the chosen config's seeds. */
        Figure figure(long n) {
            return Figure.ofSeeds(value, perSeed, n);
        }
    }

    static Choice best(AttackGroup g, ToDoubleFunction<Curve> perRun, ToDoubleFunction<double[]> acrossSeeds,
            boolean highest) {
        Choice best = null;
        for (Map.Entry<String, SortedMap<Long, Curve>> e : g.configs().entrySet()) {
            double[] xs = e.getValue().values().stream().mapToDouble(perRun).toArray();
            double v = acrossSeeds.applyAsDouble(xs);
            if (best == null || (highest ? v > best.value() : v < best.value())) {
                best = new Choice(e.getKey(), e.getValue(), xs, v);
            }
        }
        return best;
    }

    /** The config with the highest / lowest mean over seeds of perRun. */
    static Choice bestMean(AttackGroup g, ToDoubleFunction<Curve> perRun, boolean highest) {
        return best(g, perRun, SeedStats::mean, highest);
    }
}
