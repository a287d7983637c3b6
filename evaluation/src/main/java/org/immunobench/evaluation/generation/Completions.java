package org.immunobench.evaluation.generation;

import org.immunobench.lm.generate.Generator;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Completions of text prompts: tokenise (with the tokenizer's BOS), generate in batches, cut at the first stop
 * token, decode. Deterministic for greedy decoding and for seeded sampling.
 */
public final class Completions {
    private Completions() {
    }

    public static List<String> generate(LlamaWeights w, LmTokenizer tokenizer, List<String> prompts,
            SamplingConfig sampling, List<ResidualIntervention> interventions, int batchSize) {
        Generator generator = new Generator(w);
        List<String> out = new ArrayList<>(prompts.size());
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<int[]> batch = new ArrayList<>();
            for (String p : prompts.subList(start, Math.min(prompts.size(), start + batchSize))) {
                batch.add(tokenizer.encode(p));
            }
            for (int[] ids : generator.generate(batch, sampling, interventions)) {
                int end = ids.length;
                for (int i = 0; i < ids.length; i++) {
                    if (sampling.stopTokens().contains(ids[i])) {
                        end = i;
                        break;
                    }
                }
                out.add(tokenizer.decode(Arrays.copyOf(ids, end)));
            }
        }
        return out;
    }
}
