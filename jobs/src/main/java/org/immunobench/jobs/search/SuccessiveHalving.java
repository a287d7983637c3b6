package org.immunobench.jobs.search;

import java.util.Collection;

/**
 * The stopping rule of asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", arXiv 1810.05934, MLSys 2020), in its early-stopping form: a trial that reaches rung k
 * goes on only if it ranks among the best max(1, ⌊m/η⌋) of the m scores at that rung, its own and those of the trials
 * that reached the rung before it. Decisions are final: a stopped trial is never resumed.
 *
 * <p>Against a whole cohort (every trial of the rung known, the synchronous case) exactly max(1, ⌊m/η⌋) trials go
 * on. With trials arriving over time each decision sees only the earlier ones, so the kept fraction is 1/η only on
 * average (an early trial faces few rivals), which is the price of never waiting for a rung to fill.
 *
 * <p>"Best" is {@link Score}'s order: the attacker maximises harm; the harmful-response NLL, then the benign-accuracy
 * drop, break ties.
 */
public final class SuccessiveHalving {
    private final int eta;

    public SuccessiveHalving(int eta) {
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be >= 2, got " + eta);
        }
        this.eta = eta;
    }

    /** How many of m trials at a rung go on: max(1, ⌊m/η⌋). */
    public int kept(int m) {
        return Math.max(1, m / eta);
    }

    /** Whether {@code own} goes on past its rung, given the scores of the trials that reached it earlier. */
    public boolean keeps(Score own, Collection<Score> earlier) {
        int better = 0;
        for (Score s : earlier) {
            if (s.step() != own.step()) {
                throw new IllegalArgumentException("score of trial " + s.trial() + " is at step " + s.step()
                        + ", not at the rung " + own.step());
            }
            if (s.trial() == own.trial()) {
                throw new IllegalArgumentException("trial " + own.trial() + " is among its own rivals");
            }
            if (s.compareTo(own) < 0) {
                better++;
            }
        }
        return better + 1 <= kept(earlier.size() + 1);
    }
}
