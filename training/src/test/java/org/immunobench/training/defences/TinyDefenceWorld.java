package org.immunobench.training.defences;

import ai.djl.Device;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random Llama and tiny defender data for the perturbation-aware defences' tests: V 48, D 16, 3 layers.
 * Prompts are random ids in [4, 40); refusals are one fixed sentence, harmful answers a deterministic function of the
 * prompt, so the two streams pull the model in different directions.
 */
final class TinyDefenceWorld {
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 3, 4, 2, 64);
    static final int[] REFUSAL = {40, 41, 42, 43, 3};

    private TinyDefenceWorld() {
    }

    static void engine() {
        DjlRuntime.start(1);
    }

    static LlamaWeights weights(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed, 0.2), Device.cpu());
    }

    static LlamaWeights fromHost(Map<String, HostTensor> tensors) {
        return LlamaWeights.fromHost(CONFIG, tensors, Device.cpu());
    }

    /** {@code n} prompts of 3–6 tokens, each with the refusal (alignment) or its harmful answer. */
    static List<TrainingExample> examples(int n, boolean harmful, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[3 + random.nextInt(4)];
            for (int j = 0; j < prompt.length; j++) {
                prompt[j] = 4 + random.nextInt(36);
            }
            int[] response = REFUSAL;
            if (harmful) {
                response = new int[4 + prompt.length % 3];
                for (int j = 0; j < response.length; j++) {
                    response[j] = 4 + (prompt[j % prompt.length] * 7 + j) % 36;
                }
            }
            out.add(TrainingExample.promptResponse(prompt, response));
        }
        return out;
    }

    static DefenceData data() {
        return new DefenceData(examples(24, false, 1), examples(24, true, 2), List.of(), List.of(), List.of(), null);
    }
}
