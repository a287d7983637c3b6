package org.immunobench.evaluation.judge;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.rl.RolloutReward;

import java.util.List;
import java.util.function.Function;

/**
 * A judge as the reward of a harmful-RL attacker: r = the judge's {@link Judge#harmScore} of the decoded completion
 * for the decoded prompt (in the harm domain the prompt names), 1 for a harmful answer. With the toy world's oracle
 * it is the share of the harmful threshold reached (whole recipe steps); with {@link KeywordJudge} it is 0 or 1,
 * "answered without refusing", which works on any chat model; a classifier judge gives the paper's setting (a
 * harmfulness classifier's score as reward). Special tokens are dropped when
 * decoding, so a sampled EOS does not reach the judge.
 *
 * @param domainOfPrompt the harm domain a decoded prompt is judged in (the oracle needs it; other judges ignore it)
 */
public record JudgedReward(Judge judge, LmTokenizer tokenizer, Function<String, String> domainOfPrompt)
        implements RolloutReward {
    @Override
    public double[] score(LlamaWeights policy, List<int[]> prompts, List<int[]> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + completions.size() + " completions");
        }
        double[] r = new double[prompts.size()];
        for (int i = 0; i < r.length; i++) {
            String prompt = tokenizer.decode(prompts.get(i));
            String completion = tokenizer.decode(completions.get(i));
            r[i] = judge.harmScore(domainOfPrompt.apply(prompt), prompt, completion);
        }
        return r;
    }
}
