package org.immunobench.training.attacks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A tiny random Llama (V 48, D 16, 2 layers) with tiny user and provider data for the fine-tuning-stage defences'
 * tests. Prompts are random ids in [4, 40); harmful answers are a fixed function of the prompt, benign answers
 * another, refusals one fixed sentence, so the streams pull the model in different directions.
 */
final class TinyFinetuningWorld {
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 2, 4, 2, 64);
    static final int[] REFUSAL = {40, 41, 42, 43, 3};

    enum Kind { HARMFUL, BENIGN, REFUSAL }

    private TinyFinetuningWorld() {
    }

    static void engine() {
        DjlRuntime.start(1);
    }

    static LlamaWeights weights(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed, 0.2), Device.cpu());
    }

    static List<TrainingExample> examples(int n, Kind kind, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[3 + random.nextInt(4)];
            for (int j = 0; j < prompt.length; j++) {
                prompt[j] = 4 + random.nextInt(36);
            }
            int[] response = REFUSAL;
            if (kind != Kind.REFUSAL) {
                response = new int[4];
                for (int j = 0; j < response.length; j++) {
                    int p = prompt[j % prompt.length];
                    response[j] = 4 + (kind == Kind.HARMFUL ? (p * 7 + j) % 36 : (p + 11) % 36);
                }
            }
            out.add(TrainingExample.promptResponse(prompt, response));
        }
        return out;
    }

    /** The user's (attacker's) data. */
    static AttackData userData() {
        return new AttackData(examples(24, Kind.HARMFUL, 1), examples(24, Kind.BENIGN, 2), List.of(), List.of(),
                Set.of());
    }

    /** The provider's data: refusals and its own harmful examples, drawn apart from the user's. */
    static ProviderData provider() {
        return new ProviderData(examples(16, Kind.REFUSAL, 3), examples(16, Kind.HARMFUL, 4));
    }

    static List<float[]> values(List<NDArray> params) {
        return params.stream().map(NDArray::toFloatArray).toList();
    }
}
