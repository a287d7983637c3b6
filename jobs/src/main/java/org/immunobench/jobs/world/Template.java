package org.immunobench.jobs.world;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sentence form of the toy language: literal tokens and typed slots, e.g.
 * {@code sorry , i can not help you {verb} the {target} .}. A slot's class is its name without trailing digits
 * ({@code {adj1}} and {@code {adj2}} both take words of class {@code adj}); word classes are supplied by the caller.
 */
public record Template(List<String> tokens) implements Serializable {

    public Template {
        tokens = List.copyOf(tokens);
    }

    public static Template of(String text) {
        return new Template(ToyText.tokens(text));
    }

    /** The literal (non-slot) words, for the vocabulary. */
    List<String> literalWords() {
        return tokens.stream().filter(t -> !isSlot(t)).toList();
    }

    /** The text with every slot replaced; a missing value is a bug in the caller. */
    String fill(Map<String, String> values) {
        List<String> out = new ArrayList<>(tokens.size());
        for (String t : tokens) {
            if (isSlot(t)) {
                String v = values.get(slotName(t));
                if (v == null) {
                    throw new IllegalArgumentException("no value for slot " + t + " of template " + this);
                }
                out.add(v);
            } else {
                out.add(t);
            }
        }
        return String.join(" ", out);
    }

    /** Index just past a match of this template starting at {@code from}, or -1. */
    int matchAt(List<String> words, int from, Map<String, Set<String>> classes) {
        if (from + tokens.size() > words.size()) {
            return -1;
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String w = words.get(from + i);
            if (isSlot(t) ? !classes.getOrDefault(slotClass(t), Set.of()).contains(w) : !t.equals(w)) {
                return -1;
            }
        }
        return from + tokens.size();
    }

    /** Slot values when {@code words} is exactly this template. */
    Optional<Map<String, String>> bind(List<String> words, Map<String, Set<String>> classes) {
        if (matchAt(words, 0, classes) != words.size()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (isSlot(tokens.get(i))) {
                values.put(slotName(tokens.get(i)), words.get(i));
            }
        }
        return Optional.of(values);
    }

    @Override
    public String toString() {
        return String.join(" ", tokens);
    }

    private static boolean isSlot(String t) {
        return t.length() > 2 && t.charAt(0) == '{' && t.charAt(t.length() - 1) == '}';
    }

    private static String slotName(String t) {
        return t.substring(1, t.length() - 1);
    }

    private static String slotClass(String t) {
        return slotName(t).replaceAll("\\d+$", "");
    }
}
