package org.immunobench.training.defences;

import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.trainer.TrainingExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One of a defence's data streams as an endless seeded sequence of examples: epochs of Fisher–Yates permutations
 * drawn from one {@link Random}, so the same list and seed give the same batches on every JVM. Each stream of a
 * defence gets its own seed derived from the run's seed and the stream's name, so adding a stream never reorders
 * another.
 */
final class ExampleStream {
    private final String name;
    private final List<TrainingExample> examples;
    private final Random random;
    private final int[] permutation;
    private int position;

    /**
     * @param name the stream's name in error messages (e.g. {@code benign}) and in its seed
     * @param examples checked against {@code model}: token ids in the vocabulary, length within the context
     */
    ExampleStream(String name, List<TrainingExample> examples, long seed, ModelConfig model) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the " + name + " stream has no examples");
        }
        check(name, examples, model);
        this.name = name;
        this.examples = List.copyOf(examples);
        this.random = new Random(streamSeed(seed, name));
        this.permutation = new int[examples.size()];
        this.position = permutation.length;
    }

    /** A seed for stream {@code name} of a run seeded {@code seed}; String.hashCode is specified, so stable. */
    static long streamSeed(long seed, String name) {
        return seed * 0x9E3779B97F4A7C15L + name.hashCode();
    }

    String name() {
        return name;
    }

    int size() {
        return examples.size();
    }

    /** The next {@code size} examples in the stream's order. */
    List<TrainingExample> nextExamples(int size) {
        List<TrainingExample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(examples.get(nextIndex()));
        }
        return out;
    }

    ResponseBatch next(int size) {
        return ResponseBatch.of(nextExamples(size));
    }

    private int nextIndex() {
        if (position == permutation.length) {
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = i;
            }
            for (int i = permutation.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            position = 0;
        }
        return permutation[position++];
    }

    /** {@code list}, or an error naming the defence and the stream it lacks. */
    static <T> List<T> require(String defence, String stream, List<T> list) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException(defence + " needs the " + stream
                    + " stream; the defender data has none");
        }
        return list;
    }

    static void check(String name, List<TrainingExample> examples, ModelConfig model) {
        for (int i = 0; i < examples.size(); i++) {
            int[] tokens = examples.get(i).tokens();
            if (tokens.length > model.maxPositionEmbeddings()) {
                throw new IllegalArgumentException(name + " example " + i + " has " + tokens.length
                        + " tokens, more than max_position_embeddings " + model.maxPositionEmbeddings());
            }
            for (int j = 0; j < tokens.length; j++) {
                if (tokens[j] >= model.vocabSize()) {
                    throw new IllegalArgumentException(name + " example " + i + ": token " + j + " = " + tokens[j]
                            + " is outside the vocabulary [0, " + model.vocabSize() + ")");
                }
            }
        }
    }
}
