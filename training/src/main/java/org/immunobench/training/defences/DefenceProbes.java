package org.immunobench.training.defences;

import ai.djl.ndarray.NDManager;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.PaddedBatch;
import org.immunobench.training.trainer.SupervisedObjective;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Before/after figures a training defence reports in its manifest row: the mean response NLL of the harmful, benign
 * and refusal streams, each on a fixed batch (the stream's first examples, so every run on the same data probes the
 * same rows). Inference only.
 */
final class DefenceProbes {
    private final Map<String, PaddedBatch> batches = new LinkedHashMap<>();
    private final Map<String, Double> before = new LinkedHashMap<>();

    private DefenceProbes() {
    }

    /** Measures {@code w} as it is now, on up to {@code size} examples of each non-empty stream. */
    static DefenceProbes before(LlamaWeights w, DefenceData data, int size) {
        DefenceProbes p = new DefenceProbes();
        p.add("harmful", data.harmful(), size);
        p.add("benign", data.benign(), size);
        p.add("refusal", data.alignment(), size);
        p.batches.forEach((name, batch) -> p.before.put(name, meanResponseNll(w, batch)));
        return p;
    }

    /** {@code <stream>_nll_before} and {@code <stream>_nll_after}, measuring {@code w} again. */
    Map<String, Double> after(LlamaWeights w) {
        Map<String, Double> out = new LinkedHashMap<>();
        batches.forEach((name, batch) -> {
            out.put(name + "_nll_before", before.get(name));
            out.put(name + "_nll_after", meanResponseNll(w, batch));
        });
        return out;
    }

    /** The fixed batch of a stream ({@code harmful}, {@code benign}, {@code refusal}), or null when it is empty. */
    PaddedBatch batch(String stream) {
        return batches.get(stream);
    }

    private void add(String name, List<TrainingExample> examples, int size) {
        if (!examples.isEmpty()) {
            batches.put(name, PaddedBatch.of(examples.subList(0, Math.min(size, examples.size()))));
        }
    }

    /** Mean NLL over the batch's response tokens. */
    static double meanResponseNll(LlamaWeights w, PaddedBatch batch) {
        try (NDManager scope = NDManager.newBaseManager(w.device())) {
            return SupervisedObjective.nllSum(w, batch, TrainerConfig.DEFAULT_VOCAB_CHUNK, scope).getFloat()
                    / batch.lossTokens();
        }
    }
}
