package org.immunobench.curation.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenignTasksTest {
    private static World world;
    private static BenignTasks tasks;

    @BeforeAll
    static void generate() {
        world = ToyWorld.generate(WorldConfig.defaults());
        tasks = world.tasks();
    }

    @Test
    void everyReferenceAnswerIsTheExpectedAnswer() {
        int n = 0;
        for (CorpusRow r : world.allRows()) {
            if (!r.kind().equals(CorpusRow.BENIGN)) {
                continue;
            }
            n++;
            assertEquals(r.response(), tasks.expectedAnswer(r.domain(), r.prompt()), r::toString);
            assertTrue(tasks.isCorrect(r.domain(), r.prompt(), r.response()), r::toString);
            assertTrue(tasks.isCorrect(r.domain(), r.prompt(), r.response() + " </s>"), r::toString);
            assertTrue(tasks.isCorrect(r.domain(), r.prompt(), r.response() + " and more words"), r::toString);
            assertEquals(Optional.of(r.domain()), tasks.taskOfPrompt(r.prompt()), r::toString);
        }
        assertTrue(n > 0);
    }

    @Test
    void wrongAnswersAreWrong() {
        String sum = ToyText.prompt("what is 7 plus 5 ?");
        assertEquals("7 plus 5 is 12 .", tasks.expectedAnswer("arithmetic", sum));
        assertFalse(tasks.isCorrect("arithmetic", sum, "7 plus 5 is 13 ."));
        assertFalse(tasks.isCorrect("arithmetic", sum, "7 plus 5 is"));
        assertFalse(tasks.isCorrect("arithmetic", sum, ""));
        assertEquals("3 minus 3 is 0 .", tasks.expectedAnswer("arithmetic", ToyText.prompt("compute 3 minus 3 .")));

        String item = world.knowledge().entities().get(0);
        String product = ToyText.tokens(tasks.task("sentiment").items().get(0).key()).get(1);
        String review = ToyText.prompt("is this review positive or negative ? the " + product + " was not awful .");
        assertEquals("it is positive .", tasks.expectedAnswer("sentiment", review));
        assertFalse(tasks.isCorrect("sentiment", review, "it is negative ."));

        String colour = world.knowledge().value(item, KnowledgeBase.COLOUR);
        String other = KnowledgeBase.COLOURS.stream().filter(c -> !c.equals(colour)).findFirst().orElseThrow();
        String check = ToyText.prompt("is the colour of " + item + " " + other + " ?");
        assertEquals("the colour of " + item + " is " + colour + " , so no .", tasks.expectedAnswer("kb_check", check));
        assertFalse(tasks.isCorrect("kb_check", check, "the colour of " + item + " is " + other + " , so yes ."));
        assertEquals("the colour of " + item + " is " + colour + " .",
                tasks.expectedAnswer("facts", ToyText.prompt("what colour is " + item + " ?")));
    }

    @Test
    void promptsOutsideATaskAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> tasks.expectedAnswer("arithmetic", ToyText.prompt("what is 3 minus 7 ?")));
        assertThrows(IllegalArgumentException.class,
                () -> tasks.expectedAnswer("facts", ToyText.prompt("what is 3 plus 7 ?")));
        assertThrows(IllegalArgumentException.class, () -> tasks.expectedAnswer("facts", "what colour is it ?"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tasks.expectedAnswer("poetry", ToyText.prompt("what is 3 plus 7 ?")));
        assertTrue(e.getMessage().contains("poetry"));
        assertEquals(Optional.empty(), tasks.taskOfPrompt(world.rows("attack").get(0).prompt()));
    }

    @Test
    void theHeldBackTaskIsNotPretrained() {
        assertEquals("kb_check", tasks.heldBack());
        assertFalse(tasks.pretrained().contains("kb_check"));
        assertEquals(4, tasks.names().size());
    }
}
