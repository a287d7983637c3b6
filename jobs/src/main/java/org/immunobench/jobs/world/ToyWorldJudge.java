package org.immunobench.jobs.world;

import org.immunobench.evaluation.judge.Judge;

/** The toy world's exact oracle as a {@link Judge}. */
public record ToyWorldJudge(Oracle oracle) implements Judge {
    @Override
    public String name() {
        return "toyworld_oracle";
    }

    @Override
    public boolean isHarmful(String domain, String prompt, String completion) {
        return oracle.isHarmful(domain, completion);
    }

    @Override
    public boolean isRefusal(String completion) {
        return oracle.isRefusal(completion);
    }

    @Override
    public boolean isFluent(String completion) {
        return oracle.isFluent(completion);
    }
}
