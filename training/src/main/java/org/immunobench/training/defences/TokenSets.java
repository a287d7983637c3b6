package org.immunobench.training.defences;

import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Token-set similarity and the prompt / response parts of examples, for defences that pair data by content (SDD's
 * irrelevant answers, deep alignment's harmful prefixes). Sets are sorted distinct ids without the model's special
 * tokens (BOS, EOS, pad), which every prompt or every response carries and which would make everything look alike.
 */
final class TokenSets {
    private TokenSets() {
    }

    /** Sorted distinct ids of {@code tokens} minus the model's special ids. */
    static int[] of(int[] tokens, ModelConfig model) {
        Set<Integer> special = new HashSet<>(model.eosTokenIds());
        if (model.bosTokenId() != null) {
            special.add(model.bosTokenId());
        }
        if (model.padTokenId() != null) {
            special.add(model.padTokenId());
        }
        return Arrays.stream(tokens).filter(t -> !special.contains(t)).sorted().distinct().toArray();
    }

    /** |A ∩ B| / |A ∪ B| of two sorted distinct id arrays; 0 when both are empty. */
    static double jaccard(int[] a, int[] b) {
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        int union = a.length + b.length - common;
        return union == 0 ? 0.0 : (double) common / union;
    }

    /** The tokens before the first target: the prompt of a prompt/response example. */
    static int[] prompt(TrainingExample e) {
        int[] tokens = e.tokens();
        boolean[] mask = e.lossMask();
        int first = 0;
        while (!mask[first]) {
            first++;
        }
        return Arrays.copyOf(tokens, first);
    }

    /** The target tokens in order: the response of a prompt/response example (with its EOS when it has one). */
    static int[] response(TrainingExample e) {
        int[] tokens = e.tokens();
        boolean[] mask = e.lossMask();
        return java.util.stream.IntStream.range(0, tokens.length).filter(i -> mask[i]).map(i -> tokens[i]).toArray();
    }

    /** {@code response} without trailing EOS ids, for splicing it in front of more text. */
    static int[] withoutEos(int[] response, ModelConfig model) {
        int end = response.length;
        while (end > 0 && model.eosTokenIds().contains(response[end - 1])) {
            end--;
        }
        return Arrays.copyOf(response, end);
    }
}
