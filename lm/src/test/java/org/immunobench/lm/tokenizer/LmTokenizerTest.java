package org.immunobench.lm.tokenizer;

import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.scoring.ScoringInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void wordLevelTokenizerLoadsThroughDjlAndRoundTrips() {
        DjlRuntime.start(1);
        Path file = dir.resolve("tokenizer.json");
        List<String> vocab = WordLevelTokenizerJson.write(file, List.of("user", ":", "hello", "world"));
        assertEquals(List.of("<pad>", "<unk>", "<s>", "</s>", "user", ":", "hello", "world"), vocab);
        try (LmTokenizer tok = LmTokenizer.load(file)) {
            assertArrayEquals(new int[] {2, 4, 5, 6, 7}, tok.encode("user : hello world"));
            assertArrayEquals(new int[] {6, 1}, tok.encodeRaw("hello nope"));
            assertEquals("hello world", tok.decode(new int[] {2, 6, 7}));
        }
    }

    @Test
    void promptResponseScoresOnlyResponseTokens() {
        Path file = dir.resolve("tokenizer.json");
        WordLevelTokenizerJson.write(file, List.of("user", ":", "hello", "world", "assistant"));
        try (LmTokenizer tok = LmTokenizer.load(file)) {
            ScoringInput in = tok.forPromptResponse("user : hello assistant :", "world world");
            assertEquals(8, in.tokens().length); // BOS + 5 prompt words + 2 response words
            assertEquals(6, in.scoreFrom());
            assertEquals(2, in.scoredTokens());
            assertEquals(0, tok.forText("hello").scoreFrom());
        }
    }

    @Test
    void badInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LmTokenizer.load(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WordLevelTokenizerJson.write(dir.resolve("t.json"), List.of("two words")));
        assertEquals("a b", LmTokenizer.joinPromptResponse("a", "b"));
        assertEquals("a b", LmTokenizer.joinPromptResponse("a ", "b"));
    }
}
