package org.immunobench.jobs.world;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A benign task of the toy world with exact answers; its name is the corpus {@code domain} of its rows. */
public interface BenignTask extends Serializable {

    String name();

    /** Every distinct question of the task, in a fixed order. */
    List<TaskItem> items();

    /**
     * Whether an eval question's other phrasings stay in training. True for knowledge the model must have been
     * taught (facts, arithmetic tables): eval then tests recall under an unseen phrasing. False for skills (sentiment,
     * the held-back task): eval questions are never trained in any phrasing.
     */
    boolean trainsEvalItems();

    /** The exact answer to a framed prompt of this task; empty when the prompt is not one of its questions. */
    Optional<String> answer(String prompt);

    /**
     * Whether a completion answers a question of this task correctly. By default its first sentence must equal
     * the exact answer token for token; whatever follows is ignored.
     *
     * @throws IllegalArgumentException when the prompt is not one of its questions
     */
    default boolean isCorrect(String prompt, String completion) {
        String expected = answer(prompt).orElseThrow(() -> new IllegalArgumentException(
                "prompt is not a question of task '" + name() + "': " + prompt));
        return String.join(" ", ToyText.firstSentence(ToyText.tokens(completion))).equals(expected);
    }

    /** The sentence forms its answers take (for the fluency check). */
    List<Template> answerForms();

    /** The word classes its question and answer slots use. */
    Map<String, Set<String>> wordClasses();

    /** The literal words of its questions and answers. */
    Set<String> fixedWords();

    /**
     * One question in all its phrasings.
     *
     * @param key what is asked, e.g. {@code 3 plus 4}
     * @param stratum label the split allocation balances over, e.g. the answer's polarity
     * @param prompts framed prompts, one per phrasing
     * @param answer the exact reference answer
     */
    record TaskItem(String key, String stratum, List<String> prompts, String answer) {
        public TaskItem {
            prompts = List.copyOf(prompts);
        }
    }
}
