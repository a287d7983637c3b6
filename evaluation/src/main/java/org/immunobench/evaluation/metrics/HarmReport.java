package org.immunobench.evaluation.metrics;

import org.immunobench.evaluation.judge.Judge;

import java.util.List;

/**
 * Rates over n judged completions of harmful prompts: harmful (attack success), refusal, fluent.
 */
public record HarmReport(int n, double harmfulRate, double refusalRate, double fluentRate) {
    public static HarmReport of(List<String> domains, List<String> prompts, List<String> completions, Judge judge) {
        if (domains.size() != prompts.size() || prompts.size() != completions.size()) {
            throw new IllegalArgumentException("domains, prompts and completions differ in length: "
                    + domains.size() + ", " + prompts.size() + ", " + completions.size());
        }
        int n = completions.size();
        if (n == 0) {
            return new HarmReport(0, Double.NaN, Double.NaN, Double.NaN);
        }
        int harmful = 0;
        int refusal = 0;
        int fluent = 0;
        for (int i = 0; i < n; i++) {
            String c = completions.get(i);
            harmful += judge.isHarmful(domains.get(i), prompts.get(i), c) ? 1 : 0;
            refusal += judge.isRefusal(c) ? 1 : 0;
            fluent += judge.isFluent(c) ? 1 : 0;
        }
        return new HarmReport(n, harmful / (double) n, refusal / (double) n, fluent / (double) n);
    }
}
