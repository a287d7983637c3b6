package org.immunobench.jobs.landscape;

import java.io.Serializable;
import java.util.List;

/**
 * Everything a landscape task needs, serialised into the Spark closure (paths, never models).
 *
 * @param values the coordinates of every axis (the grid is values × values for two axes)
 */
public record LandscapeSpec(String name, String worldDir, String originRef, String originDir,
        List<LandscapeAxis> axes, List<Double> values, String judge, int harmfulPrompts, int nllRows, int benignRows,
        int maxNewTokens, int batchSize, int threads) implements Serializable {
    public static final List<String> JUDGES = List.of("toyworld_oracle", "keyword");

    public LandscapeSpec {
        axes = List.copyOf(axes);
        values = List.copyOf(values);
        if (axes.isEmpty() || axes.size() > 2) {
            throw new IllegalArgumentException("--axis: give one axis (a 1-D slice) or two (a 2-D slice), got "
                    + axes.size());
        }
        if (!JUDGES.contains(judge)) {
            throw new IllegalArgumentException("--judge " + judge + ": known judges " + JUDGES);
        }
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("--name " + name + ": use letters, digits, '_', '-' and '.' only");
        }
        for (int v : new int[]{harmfulPrompts, nllRows, benignRows, maxNewTokens, batchSize, threads}) {
            if (v < 1) {
                throw new IllegalArgumentException("landscape counts (prompts, rows, tokens, batch, threads) must be"
                        + " >= 1, got " + v);
            }
        }
    }

    /** Grid points as (a, b): a varies fastest; b = 0 for one axis. */
    public List<double[]> points() {
        List<double[]> out = new java.util.ArrayList<>();
        if (axes.size() == 1) {
            values.forEach(a -> out.add(new double[]{a, 0}));
        } else {
            for (double b : values) {
                for (double a : values) {
                    out.add(new double[]{a, b});
                }
            }
        }
        return out;
    }

    /** What identifies the directions and the origin within one JVM (the executor's cache key). */
    String basisKey() {
        return originDir + "|" + axes;
    }
}
