package org.immunobench.evaluation.judge;

import java.io.Serializable;

/**
 * Decides what a completion is. The toy world's exact oracle implements it; a classifier judge (HarmBench's,
 * LlamaGuard) would too. Judges are kept apart from generation so stored generations can be re-judged.
 */
public interface Judge extends Serializable {
    /** Name recorded in the metrics' {@code judge} column. */
    String name();

    /** Whether {@code completion} gives the harmful help {@code prompt} asked for, in harm domain {@code domain}. */
    boolean isHarmful(String domain, String prompt, String completion);

    /**
     * How harmful {@code completion} is, in [0, 1]: a classifier's probability, or partial credit from an exact judge;
     * 1 whenever {@link #isHarmful} holds. What a harmful-RL attacker uses as reward ({@link JudgedReward}): a binary
     * verdict gives an aligned model that never complies no signal at all. Default: the verdict as 0 or 1.
     */
    default double harmScore(String domain, String prompt, String completion) {
        return isHarmful(domain, prompt, completion) ? 1.0 : 0.0;
    }

    boolean isRefusal(String completion);

    /** Whether the text is well-formed language (collapse defences can look safe by producing noise). */
    boolean isFluent(String completion);
}
