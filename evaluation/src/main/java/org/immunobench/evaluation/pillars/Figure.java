package org.immunobench.evaluation.pillars;

/**
 * A pillar figure with its uncertainty over seeds. The 95% interval is centre ± 1.96 · spread / √nSeeds, where
 * centre is the mean over seeds of the per-seed figures the spread is taken over (equal to the value for every
 * mean-over-seeds figure; the mean of the per-seed maxima for {@code worst_case_harm}); it is NaN when
 * nSeeds &lt; 2 or the value, centre or spread is not finite. This seed interval is what {@link Pillars#compute}
 * writes; the leaderboard stage replaces it by a bootstrap interval where the run's per-prompt verdicts allow
 * ({@link org.immunobench.evaluation.stats.Bootstrap}).
 *
 * @param value the figure
 * @param centre the mean over seeds the interval is centred on
 * @param spread sample standard deviation over seeds (0 with one seed, NaN when undefined)
 * @param nSeeds seeds aggregated
 * @param n smallest n of the rows read
 * @param seedMin smallest of the per-seed figures the spread is taken over (NaN when the figure has none)
 * @param seedMax largest of them
 */
record Figure(double value, double centre, double spread, int nSeeds, long n, double seedMin, double seedMax) {
    static final double Z95 = 1.96;

    /** A figure without per-seed values (min and max NaN). */
    Figure(double value, double centre, double spread, int nSeeds, long n) {
        this(value, centre, spread, nSeeds, n, Double.NaN, Double.NaN);
    }

    /** value with centre = mean(perSeed), spread = sampleStd(perSeed), nSeeds = |perSeed|, min and max of perSeed. */
    static Figure ofSeeds(double value, double[] perSeed, long n) {
        return new Figure(value, SeedStats.mean(perSeed), SeedStats.sampleStd(perSeed), perSeed.length, n,
                SeedStats.min(perSeed), SeedStats.max(perSeed));
    }

    /**
     * This figure minus a reference (the undefended baseline's figure, treated as fixed): value, centre and the
     * per-seed range shift, spread and seeds stay; n is the smaller of both. A NaN reference (no baseline) gives a
     * NaN value.
     */
    Figure minus(double reference, long referenceN) {
        return new Figure(value - reference, centre - reference, spread, nSeeds,
                Double.isNaN(reference) ? n : Math.min(n, referenceN), seedMin - reference, seedMax - reference);
    }

    private double halfWidth() {
        if (nSeeds < 2 || !Double.isFinite(value) || !Double.isFinite(centre) || !Double.isFinite(spread)) {
            return Double.NaN;
        }
        return Z95 * spread / Math.sqrt(nSeeds);
    }

    double ciLow() {
        return centre - halfWidth();
    }

    double ciHigh() {
        return centre + halfWidth();
    }
}
