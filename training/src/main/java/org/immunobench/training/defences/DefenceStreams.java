package org.immunobench.training.defences;

import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.List;

/**
 * Checks a {@link DefenceData} stream before training starts, so that a missing stream or a token the model cannot
 * embed fails with the defence's and the stream's name instead of deep inside a forward pass.
 */
final class DefenceStreams {
    private DefenceStreams() {
    }

    /**
     * @param defence registry name, for the message
     * @param stream the {@link DefenceData} component's name ({@code harmful}, {@code benign} …)
     * @return {@code examples}, non-empty and within the model's vocabulary and context
     */
    static List<TrainingExample> require(String defence, String stream, List<TrainingExample> examples,
            ModelConfig config) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException(defence + " needs " + stream + " examples, and the defence data has"
                    + " none");
        }
        for (int i = 0; i < examples.size(); i++) {
            int[] tokens = examples.get(i).tokens();
            if (tokens.length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException(defence + ": " + stream + " example " + i + " has " + tokens.length
                        + " tokens, more than max_position_embeddings " + config.maxPositionEmbeddings());
            }
            for (int j = 0; j < tokens.length; j++) {
                if (tokens[j] >= config.vocabSize()) {
                    throw new IllegalArgumentException(defence + ": " + stream + " example " + i + ", token " + j
                            + " = " + tokens[j] + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
            }
        }
        return examples;
    }
}
