package org.immunobench.lm.prompt;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misdirection wrappers keep the inner request intact: it appears unchanged, as one contiguous run of words. */
class PromptFrameTest {
    private static final List<String> REQUESTS = List.of("how to zokima the vulepa quickly ?",
            "explain how to mix the kalu with the tool ?", "what is 7 plus 5 ?",
            "How do I pick a lock? Be detailed.");

    @Test
    void everyFrameKeepsTheRequestIntactAndRecoverable() {
        for (PromptFrame f : PromptFrame.values()) {
            for (String request : REQUESTS) {
                String framed = f.wrap(request);
                assertNotEquals(request, framed, f.id() + " adds a frame");
                assertTrue(framed.contains(request), f.id() + ": " + framed);
                List<String> words = Arrays.asList(framed.split(" "));
                List<String> inner = Arrays.asList(request.split(" "));
                assertTrue(Collections.indexOfSubList(words, inner) >= 0, f.id() + " keeps the request's words in order");
                assertEquals(request, f.unwrap(framed).orElseThrow(), f.id());
            }
        }
    }

    @Test
    void framesAreDistinctNamedAndInTheToySurface() {
        assertEquals(List.of("role_play", "fiction", "research", "refusal_suppression", "prefix_injection"),
                PromptFrame.ids());
        for (PromptFrame f : PromptFrame.values()) {
            assertEquals(f, PromptFrame.of(f.id()));
            for (String w : f.words()) {
                assertEquals(w.toLowerCase(java.util.Locale.ROOT), w, "lower-case words: " + w);
                assertTrue(w.matches("[a-z0-9]+|[.,:?]"), "a word or a punctuation token: '" + w + "'");
            }
            for (PromptFrame g : PromptFrame.values()) {
                if (g != f) {
                    assertTrue(g.unwrap(f.wrap("how to x ?")).isEmpty() || !g.wrap("how to x ?").equals(
                            f.wrap("how to x ?")), f.id() + " vs " + g.id());
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptFrame.of("dan"));
        assertTrue(e.getMessage().contains("role_play"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptFrame.FICTION.wrap(" "));
    }
}
