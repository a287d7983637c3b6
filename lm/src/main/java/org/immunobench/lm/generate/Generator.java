package org.immunobench.lm.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.immunobench.lm.model.ForwardOptions;
import org.immunobench.lm.model.ForwardResult;
import org.immunobench.lm.model.KvCache;
import org.immunobench.lm.model.LeftPadded;
import org.immunobench.lm.model.LlamaForward;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Batched autoregressive decoding with a KV cache. Prompts are left-padded so every row's next token is predicted
 * at the last column; RoPE positions come from the mask, so padding does not shift them. Token choice happens in
 * Java on the last-position logits (B, V), which keeps sampling exactly reproducible across engines.
 */
public final class Generator {
    private final LlamaWeights weights;

    public Generator(LlamaWeights weights) {
        this.weights = weights;
    }

    /** New tokens per prompt (without the prompt), stopping after a stop token or maxNewTokens. */
    public List<int[]> generate(List<int[]> prompts, SamplingConfig config) {
        return generate(prompts, config, List.of());
    }

    public List<int[]> generate(List<int[]> prompts, SamplingConfig config,
            List<ResidualIntervention> interventions) {
        int b = prompts.size();
        List<int[]> out = new ArrayList<>();
        if (b == 0) {
            return out;
        }
        for (int[] p : prompts) {
            if (p.length == 0) {
                throw new IllegalArgumentException("cannot generate from an empty prompt");
            }
        }
        Random[] rngs = new Random[b];
        int[][] produced = new int[b][config.maxNewTokens()];
        int[] count = new int[b];
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            rngs[r] = new Random(config.seed() * 1_000_003L + r);
        }
        ForwardOptions options = ForwardOptions.hiddenOnly().withLogits(ForwardOptions.Logits.LAST)
                .withInterventions(interventions);
        try (NDManager scope = NDManager.newBaseManager(weights.device());
                KvCache cache = new KvCache(scope, weights.config().numLayers())) {
            LeftPadded padded = LeftPadded.of(prompts);
            long[] stepTokens = padded.tokens();
            float[] stepMask = padded.mask();
            int stepLen = padded.length();
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[] logits;
                try (NDManager stepScope = scope.newSubManager()) {
                    NDArray tok = stepScope.create(stepTokens, new Shape(b, stepLen));
                    NDArray msk = stepScope.create(stepMask, new Shape(b, stepLen));
                    ForwardResult fr = LlamaForward.forward(weights, tok, msk, options, cache);
                    logits = fr.logits().toFloatArray();
                }
                int vocab = logits.length / b;
                stepTokens = new long[b];
                stepMask = new float[b];
                Arrays.fill(stepMask, 1f);
                stepLen = 1;
                boolean allDone = true;
                for (int r = 0; r < b; r++) {
                    int next = config.isGreedy() ? TokenChoice.argmax(logits, r * vocab, vocab)
                            : TokenChoice.sample(logits, r * vocab, vocab, config.temperature(), config.topP(),
                                    rngs[r]);
                    stepTokens[r] = next;
                    if (!done[r]) {
                        produced[r][count[r]++] = next;
                        done[r] = config.stopTokens().contains(next);
                    }
                    allDone &= done[r];
                }
                if (allDone) {
                    break;
                }
            }
        }
        for (int r = 0; r < b; r++) {
            out.add(Arrays.copyOf(produced[r], count[r]));
        }
        return out;
    }
}
