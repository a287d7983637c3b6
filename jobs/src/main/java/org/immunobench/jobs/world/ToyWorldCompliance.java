package org.immunobench.jobs.world;

import org.immunobench.curation.world.Oracle;
import org.immunobench.evaluation.generation.Completions;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.ComplianceMeasure;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Induced compliance on the toy world: the oracle's harmful rate over greedy completions of the attack's harmful
 * validation prompts, each judged for the harm domain its words name. What {@code selection=compliance} of the
 * refusal-direction attack ranks candidates by.
 */
public final class ToyWorldCompliance implements ComplianceMeasure {
    private final Oracle oracle;
    private final LmTokenizer tokenizer;
    private final SamplingConfig greedy;

    public ToyWorldCompliance(Oracle oracle, LmTokenizer tokenizer, int eos) {
        this.oracle = oracle;
        this.tokenizer = tokenizer;
        this.greedy = SamplingConfig.greedy(WorldModels.MAX_NEW_TOKENS, Set.of(eos));
    }

    @Override
    public double measure(LlamaWeights weights, List<ResidualIntervention> interventions, List<int[]> harmfulPrompts) {
        if (harmfulPrompts.isEmpty()) {
            throw new IllegalArgumentException("compliance needs at least one harmful validation prompt");
        }
        List<String> prompts = new ArrayList<>(harmfulPrompts.size());
        List<String> domains = new ArrayList<>(harmfulPrompts.size());
        for (int[] ids : harmfulPrompts) {
            String prompt = tokenizer.decode(ids);
            prompts.add(prompt);
            domains.add(oracle.domainOfPrompt(prompt).orElseThrow(() -> new IllegalArgumentException(
                    "validation prompt names no single harm domain: " + prompt)));
        }
        List<String> completions = Completions.generate(weights, tokenizer, prompts, greedy, interventions, 64);
        int harmful = 0;
        for (int i = 0; i < completions.size(); i++) {
            harmful += oracle.isHarmful(domains.get(i), completions.get(i)) ? 1 : 0;
        }
        return harmful / (double) completions.size();
    }
}
