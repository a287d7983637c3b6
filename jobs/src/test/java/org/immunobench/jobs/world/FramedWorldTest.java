package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.lm.prompt.PromptFrame;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code framedPretrainPerTask}: framed copies of harmless pretraining rows teach the misdirection frames' words,
 * every other split stays as it was, and a world without the key is the world it always was.
 */
class FramedWorldTest {
    @Test
    void framedRowsWrapPretrainedBenignRequestsAndChangeNothingElse() {
        WorldConfig plainConfig = WorldConfig.defaults();
        World plain = ToyWorld.generate(plainConfig);
        World framed = ToyWorld.generate(plainConfig.with(Map.of("framedPretrainPerTask", 10)));
        for (String split : Splits.ALL) {
            if (!split.equals(Splits.PRETRAIN)) {
                assertEquals(plain.rows(split), framed.rows(split), split + " is unchanged");
            }
        }
        Set<String> plainPretrain = new HashSet<>();
        plain.rows(Splits.PRETRAIN).forEach(r -> plainPretrain.add(r.prompt() + " => " + r.response()));
        List<CorpusRow> extra = framed.rows(Splits.PRETRAIN).stream()
                .filter(r -> !plainPretrain.contains(r.prompt() + " => " + r.response())).toList();
        int tasks = framed.tasks().pretrained().size();
        assertEquals(10 * tasks, extra.size());
        assertEquals(plain.rows(Splits.PRETRAIN).size() + 10 * tasks, framed.rows(Splits.PRETRAIN).size());
        Set<PromptFrame> used = new HashSet<>();
        for (CorpusRow r : extra) {
            assertEquals(CorpusRow.BENIGN, r.kind(), "frames are taught on harmless rows only");
            String request = String.join(" ", ToyText.request(r.prompt()).orElseThrow());
            Optional<String> inner = Optional.empty();
            for (PromptFrame f : PromptFrame.values()) {
                Optional<String> u = f.unwrap(request);
                if (u.isPresent()) {
                    inner = u;
                    used.add(f);
                }
            }
            String original = ToyText.prompt(inner.orElseThrow(() -> new AssertionError("no frame: " + r.prompt())));
            assertTrue(plainPretrain.contains(original + " => " + r.response()),
                    "the framed request is a pretraining request with its own answer: " + r.prompt());
        }
        assertEquals(Set.of(PromptFrame.values()), used);
        assertTrue(framed.words().containsAll(PromptFrame.allWords()), "the tokenizer knows every frame word");
        assertFalse(plain.words().containsAll(PromptFrame.allWords()));
        assertEquals(plain.splits(), ToyWorld.generate(plainConfig.with(Map.of("framedPretrainPerTask", 0))).splits());
    }

    @Test
    void theKeyIsAbsentFromConfigsThatDoNotSetIt() {
        assertFalse(ConfigBinder.toMap(WorldConfig.defaults()).containsKey("framedPretrainPerTask"));
        assertFalse(ConfigBinder.toMap(WorldConfig.defaults().with(Map.of("framedPretrainPerTask", 0)))
                .containsKey("framedPretrainPerTask"));
        assertEquals(5, ConfigBinder.toMap(WorldConfig.defaults().with(Map.of("framedPretrainPerTask", 5)))
                .get("framedPretrainPerTask"));
        assertThrows(IllegalArgumentException.class,
                () -> WorldConfig.defaults().with(Map.of("framedPretrainPerTask", -1)));
    }
}
