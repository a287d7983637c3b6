package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class WorldTokenizerTest {
    private static final int UNK = WordLevelTokenizerJson.SPECIALS.indexOf(WordLevelTokenizerJson.UNK);

    @Test
    void theTokenizerCoversEveryRowOneTokenPerWord(@TempDir Path dir) {
        World world = ToyWorld.generate(WorldConfig.defaults());
        List<String> vocab = world.writeTokenizer(dir.resolve("tokenizer.json"));
        assertEquals(world.summary().vocabSize(), vocab.size());
        DjlRuntime.start(1);
        try (LmTokenizer tok = LmTokenizer.load(dir.resolve("tokenizer.json"))) {
            for (CorpusRow r : world.allRows()) {
                String text = LmTokenizer.joinPromptResponse(r.prompt(), r.response());
                int[] ids = tok.encode(text);
                assertFalse(Arrays.stream(ids).anyMatch(id -> id == UNK), () -> "unknown word in " + text);
                assertEquals(ToyText.tokenCount(r.prompt(), r.response()) - 1, ids.length, text); // BOS, no EOS
                assertEquals(text, tok.decode(ids));
            }
            for (String w : world.words()) {
                assertEquals(1 + 1, tok.encode(w).length, w);
            }
        }
    }
}
