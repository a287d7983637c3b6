package org.immunobench.lm.generate;

import java.util.Set;

/**
 * Decoding settings. temperature 0 = greedy (argmax, lowest id on ties); otherwise softmax(logits / temperature)
 * restricted to the smallest top-p nucleus, sampled with a seeded generator per row.
 *
 * @param maxNewTokens tokens generated at most per row
 * @param temperature 0 for greedy
 * @param topP nucleus mass in (0, 1]
 * @param seed seed of the per-row generators (row r uses seed and r), so a batch is reproducible
 * @param stopTokens ids that end a row (the stop token is kept in the output)
 */
public record SamplingConfig(int maxNewTokens, double temperature, double topP, long seed, Set<Integer> stopTokens) {
    public SamplingConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 and finite, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        stopTokens = stopTokens == null ? Set.of() : Set.copyOf(stopTokens);
    }

    public static SamplingConfig greedy(int maxNewTokens, Set<Integer> stopTokens) {
        return new SamplingConfig(maxNewTokens, 0, 1, 0, stopTokens);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
