package org.immunobench.jobs.search;

import org.apache.commons.math3.random.HaltonSequenceGenerator;
import org.apache.commons.math3.random.RandomVectorGenerator;
import org.apache.commons.math3.random.SobolSequenceGenerator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Points of the unit cube [0, 1)^d, one per trial index, from which {@link Dimension}s make hyper-parameters.
 * Deterministic: the same (kind, d, seed) gives the same points, and the point of trial i does not depend on how many
 * trials were asked for, so a search extended from 16 to 32 trials keeps its first 16.
 * <ul>
 *   <li>{@code random}: independent uniforms, trial i from its own stream seeded by (seed, i);</li>
 *   <li>{@code sobol}: the Sobol sequence (Joe–Kuo direction numbers, commons-math3), shifted by a uniform vector
 *       drawn from the seed and wrapped modulo 1 (a Cranley–Patterson rotation), so two seeds give two designs while
 *       each keeps the sequence's even coverage of the cube;</li>
 *   <li>{@code halton}: the scrambled Halton sequence of commons-math3 (Faure–Lemieux weights), shifted the same way.</li>
 * </ul>
 * Quasi-random points fill the cube more evenly than random ones for a small number of trials (Bergstra and Bengio,
 * JMLR 13, 2012, section 5), which is the regime of a search whose trials each fine-tune a model.
 */
public final class Sampler {
    public static final List<String> KINDS = List.of("random", "sobol", "halton");
    /** Golden-ratio increment of SplittableRandom's own seeding: spreads nearby (seed, index) pairs apart. */
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final String kind;
    private final int dimensions;
    private final long seed;

    public Sampler(String kind, int dimensions, long seed) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("sampler '" + kind + "' is unknown; known: " + KINDS);
        }
        if (dimensions < 1) {
            throw new IllegalArgumentException("a search space needs at least one dimension");
        }
        this.kind = kind;
        this.dimensions = dimensions;
        this.seed = seed;
    }

    /** The points of trials 0 … n − 1. */
    public List<double[]> points(int n) {
        List<double[]> out = new ArrayList<>(n);
        if (kind.equals("random")) {
            for (int i = 0; i < n; i++) {
                SplittableRandom r = new SplittableRandom(seed * MIX + i);
                double[] p = new double[dimensions];
                for (int d = 0; d < dimensions; d++) {
                    p[d] = r.nextDouble();
                }
                out.add(p);
            }
            return out;
        }
        RandomVectorGenerator g = kind.equals("sobol") ? new SobolSequenceGenerator(dimensions)
                : new HaltonSequenceGenerator(dimensions);
        SplittableRandom r = new SplittableRandom(seed ^ MIX);
        double[] shift = new double[dimensions];
        for (int d = 0; d < dimensions; d++) {
            shift[d] = r.nextDouble();
        }
        for (int i = 0; i < n; i++) {
            double[] p = g.nextVector();
            for (int d = 0; d < dimensions; d++) {
                double x = p[d] + shift[d];
                x -= Math.floor(x);
                p[d] = x >= 1 ? 0 : x; // guards the rounding of x − floor(x) to exactly 1
            }
            out.add(p);
        }
        return out;
    }
}
