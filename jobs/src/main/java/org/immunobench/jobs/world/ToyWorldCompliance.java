package org.immunobench.jobs.world;

import org.immunobench.evaluation.judge.JudgedCompliance;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.util.Set;

/**
 * Induced compliance on the toy world: the oracle's harmful rate over greedy completions of the attack's harmful
 * validation prompts, each judged for the harm domain its words name. What {@code selection=compliance} of the
 * refusal-direction attack ranks candidates by.
 */
public final class ToyWorldCompliance {
    private ToyWorldCompliance() {
    }

    public static JudgedCompliance of(Oracle oracle, LmTokenizer tokenizer, int eos) {
        return new JudgedCompliance(new ToyWorldJudge(oracle), tokenizer,
                SamplingConfig.greedy(WorldModels.MAX_NEW_TOKENS, Set.of(eos)),
                prompt -> oracle.domainOfPrompt(prompt).orElseThrow(() -> new IllegalArgumentException(
                        "validation prompt names no single harm domain: " + prompt)), 64);
    }
}
