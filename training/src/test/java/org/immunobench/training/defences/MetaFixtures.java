package org.immunobench.training.defences;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;


/**
 * Tiny random Llamas and token streams for the meta-learning defences' tests (TAR, MLAC). Token ids: 1 BOS-like,
 * 2 end, 5–14 harmful prompts, 15–24 benign prompts, 25–34 compliant answers, 35–39 refusals, 40–47 benign answers.
 */
final class MetaFixtures {
    /** V 48, D 16, I 32, 2 layers, 4 heads, 2 KV heads. */
    static final ModelConfig CONFIG = ModelConfig.llama(48, 16, 32, 2, 4, 2, 64);

    private MetaFixtures() {
    }

    static LlamaWeights tiny(long seed) {
        return LlamaWeights.fromHost(CONFIG, RandomInit.weights(CONFIG, seed), Device.cpu());
    }

    /** prompt = 1, then 4 tokens from {@code promptBase}; response = 5 tokens from {@code answerBase}, then 2. */
    static TrainingExample example(int i, int promptBase, int promptSpan, int answerBase, int answerSpan) {
        int[] prompt = {1, promptBase + i % promptSpan, promptBase + (i + 3) % promptSpan,
            promptBase + (2 * i + 1) % promptSpan, promptBase + (3 * i + 2) % promptSpan};
        int[] response = new int[6];
        for (int j = 0; j < 5; j++) {
            response[j] = answerBase + (i + 2 * j) % answerSpan;
        }
        response[5] = 2;
        return TrainingExample.promptResponse(prompt, response);
    }

    static List<TrainingExample> harmful(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 5, 10, 25, 10));
        }
        return out;
    }

    static List<TrainingExample> refusals(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 5, 10, 35, 5));
        }
        return out;
    }

    static List<TrainingExample> benign(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example(i, 15, 10, 40, 8));
        }
        return out;
    }

    /** Alignment, harmful and benign streams of {@code n} examples each; no bare prompts, no reference model. */
    static DefenceData data(int n) {
        return new DefenceData(refusals(n), harmful(n), benign(n), List.of(), List.of(), null);
    }

    /** The first {@code size} examples of {@code examples} (in a seeded order) as one padded batch. */
    static PaddedBatch batch(List<TrainingExample> examples, int size) {
        return new SupervisedObjective(examples, 0).next(size);
    }

    static StepContext context(LlamaWeights w, List<NDArray> params, int batch) {
        return new StepContext(w, params, 1, TrainerConfig.defaults(1e-3, 1, batch).withLogEvery(0));
    }
}
