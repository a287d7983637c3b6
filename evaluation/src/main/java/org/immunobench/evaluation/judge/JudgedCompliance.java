package org.immunobench.evaluation.judge;

import org.immunobench.evaluation.generation.Completions;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.ComplianceMeasure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Induced compliance as a judge sees it: the judge's harmful rate over completions of the harmful validation
 * prompts, generated under the interventions. With the toy world's oracle it is exact; with {@link KeywordJudge} it
 * is keyword attack success, which works on any chat model.
 *
 * @param domainOfPrompt the harm domain a prompt is judged in (the oracle needs it; other judges ignore it), given
 *     the decoded prompt text
 */
public record JudgedCompliance(Judge judge, LmTokenizer tokenizer, SamplingConfig sampling,
        Function<String, String> domainOfPrompt, int batchSize) implements ComplianceMeasure {
    public JudgedCompliance {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
    }

    @Override
    public double measure(LlamaWeights weights, List<ResidualIntervention> interventions, List<int[]> harmfulPrompts) {
        if (harmfulPrompts.isEmpty()) {
            throw new IllegalArgumentException("compliance needs at least one harmful validation prompt");
        }
        List<String> prompts = new ArrayList<>(harmfulPrompts.size());
        for (int[] ids : harmfulPrompts) {
            prompts.add(tokenizer.decode(ids));
        }
        List<String> completions = Completions.generate(weights, tokenizer, prompts, sampling, interventions,
                batchSize);
        int harmful = 0;
        for (int i = 0; i < completions.size(); i++) {
            String prompt = prompts.get(i);
            harmful += judge.isHarmful(domainOfPrompt.apply(prompt), prompt, completions.get(i)) ? 1 : 0;
        }
        return harmful / (double) completions.size();
    }
}
