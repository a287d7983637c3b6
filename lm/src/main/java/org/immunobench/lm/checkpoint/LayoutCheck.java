package org.immunobench.lm.checkpoint;

import org.immunobench.lm.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Compares a set of named shapes with {@link TensorLayout#expected}; shared by the reader and the writer. */
final class LayoutCheck {
    private LayoutCheck() {
    }

    /**
     * Throws one exception listing every missing and unexpected name and every wrong shape.
     *
     * @param present name → shape, already without tensors the caller accepts and drops
     * @param whereOf e.g. "in model.safetensors" for a name, to say which file holds it
     * @param source what the expectation comes from, e.g. "config.json"
     * @param context prefix of the message, naming the checkpoint
     */
    static void check(ModelConfig config, Map<String, long[]> present, Function<String, String> whereOf,
            String source, String context) {
        Map<String, long[]> expected = TensorLayout.expected(config);
        List<String> missing = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] actual = present.get(e.getKey());
            if (actual == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(actual, e.getValue())) {
                shapes.add("tensor " + e.getKey() + " " + whereOf.apply(e.getKey()) + " has shape "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()) + " from " + source);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : present.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add(name);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing tensors: " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected tensors: " + unexpected);
        }
        problems.addAll(shapes);
        if (!problems.isEmpty()) {
            throw new CheckpointException(context + ": " + String.join("; ", problems));
        }
    }
}
