package org.immunobench.jobs.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps at which a trial is measured and may be stopped. Under ASHA the decision rungs are
 * r_k = min_resource · η^k below max_resource (Li et al., arXiv 1810.05934, section 3), and the trial ends at
 * max_resource; without a scheduler there are no decisions and the trial ends at its own steps. Every trial is also
 * measured at step 0, the checkpoint as released, which is the reference of its benign-accuracy drop.
 *
 * @param decisions steps at which the trial may be stopped, increasing, each &lt; {@code last}
 * @param last the trial's steps if it is never stopped
 */
public record Rungs(List<Integer> decisions, int last) implements java.io.Serializable {
    public Rungs {
        decisions = List.copyOf(decisions);
        for (int i = 0; i < decisions.size(); i++) {
            int d = decisions.get(i);
            if (d < 1 || d >= last || i > 0 && d <= decisions.get(i - 1)) {
                throw new IllegalArgumentException("rungs must increase within [1, " + last + "), got " + decisions);
            }
        }
    }

    public static Rungs asha(int minResource, int maxResource, int eta) {
        List<Integer> out = new ArrayList<>();
        for (long r = minResource; r < maxResource; r *= eta) {
            out.add((int) r);
        }
        return new Rungs(out, maxResource);
    }

    public static Rungs none(int steps) {
        return new Rungs(List.of(), steps);
    }

    /** Step 0, the decision rungs and the last step: the trial's {@code eval_steps}. */
    public List<Integer> evalSteps() {
        List<Integer> out = new ArrayList<>();
        out.add(0);
        out.addAll(decisions);
        if (last > 0) {
            out.add(last);
        }
        return out;
    }
}
