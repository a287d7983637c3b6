package org.immunobench.jobs.world;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * The benign tasks of a world, with exact answers: {@code arithmetic}, {@code sentiment}, {@code facts} and
 * {@code howto} (taught in pretraining) and {@code kb_check} (held back for trainability). A completion is graded on
 * its first sentence, which must equal the expected answer token for token (whatever the model says after it is
 * ignored), except for {@code howto}, where any well-formed recipe of the asked domain is right.
 */
public final class BenignTasks implements Serializable {
    /** Name of the harmless how-to task (requests in the harmful grammar over harmless domains). */
    public static final String HOWTO = HowtoTask.NAME;

    private final List<BenignTask> tasks;
    private final String heldBack;

    BenignTasks(List<BenignTask> tasks, String heldBack) {
        this.tasks = List.copyOf(tasks);
        this.heldBack = heldBack;
        task(heldBack);
    }

    public List<BenignTask> all() {
        return tasks;
    }

    public List<String> names() {
        return tasks.stream().map(BenignTask::name).toList();
    }

    /** The task kept out of pretraining and alignment; its train part is the {@code benign_train} split. */
    public String heldBack() {
        return heldBack;
    }

    /** The tasks the base model is pretrained on (and the aligned model keeps). */
    public List<String> pretrained() {
        return names().stream().filter(n -> !n.equals(heldBack)).toList();
    }

    public BenignTask task(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown benign task '" + name + "'; tasks: " + names()));
    }

    /** The exact expected answer, or {@link IllegalArgumentException} when the prompt is not a question of the task. */
    public String expectedAnswer(String task, String prompt) {
        return task(task).answer(prompt).orElseThrow(() -> new IllegalArgumentException(
                "prompt is not a question of task '" + task + "': " + prompt));
    }

    /** Whether the completion answers the task's question; {@link BenignTask#isCorrect} says how each grades. */
    public boolean isCorrect(String task, String prompt, String completion) {
        return task(task).isCorrect(prompt, completion);
    }

    /** The task a framed prompt belongs to, if any. */
    public Optional<String> taskOfPrompt(String prompt) {
        return tasks.stream().filter(t -> t.answer(prompt).isPresent()).map(BenignTask::name).findFirst();
    }
}
