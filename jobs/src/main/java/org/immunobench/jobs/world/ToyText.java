package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The surface of the toy language: lowercase words and punctuation tokens separated by spaces, and the chat frame
 * {@code user : <request> assistant :} around every prompt. Texts never contain EOS; training code adds it.
 */
public final class ToyText {
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    /** Generation may leave the end-of-sequence token in a completion; everything from it on is ignored. */
    public static final String EOS = "</s>";

    private ToyText() {
    }

    public static String prompt(String request) {
        return USER + " : " + request + " " + ASSISTANT + " :";
    }

    /** The request inside a framed prompt, or empty when the prompt is not in the chat frame. */
    public static Optional<List<String>> request(String prompt) {
        List<String> t = tokens(prompt);
        int n = t.size();
        if (n < 4 || !t.get(0).equals(USER) || !t.get(1).equals(":") || !t.get(n - 2).equals(ASSISTANT)
                || !t.get(n - 1).equals(":")) {
            return Optional.empty();
        }
        return Optional.of(t.subList(2, n - 2));
    }

    /** Whitespace-separated tokens, cut at the first {@link #EOS}. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String t : text.strip().split("\\s+")) {
            if (t.equals(EOS)) {
                break;
            }
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** The tokens up to and including the first {@code .}, or all tokens when there is none. */
    public static List<String> firstSentence(List<String> tokens) {
        int dot = tokens.indexOf(".");
        return dot < 0 ? tokens : tokens.subList(0, dot + 1);
    }

    /** Word count of a row as the model sees it: BOS, prompt, response, EOS. */
    public static int tokenCount(String prompt, String response) {
        return tokens(prompt).size() + tokens(response).size() + 2;
    }
}
