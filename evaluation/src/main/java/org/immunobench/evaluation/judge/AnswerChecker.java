package org.immunobench.evaluation.judge;

import java.io.Serializable;

/** Exact-answer checking for benign tasks (capability / stability / trainability). */
@FunctionalInterface
public interface AnswerChecker extends Serializable {
    boolean isCorrect(String task, String prompt, String completion);
}
