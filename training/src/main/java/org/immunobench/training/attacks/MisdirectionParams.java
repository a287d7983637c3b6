package org.immunobench.training.attacks;

import org.immunobench.lm.prompt.PromptFrame;

/**
 * The parameters of {@code misdirection}, bound like every attack's.
 *
 * @param wrapper the frame around each harmful request: {@code role_play} (default), {@code fiction},
 *     {@code research}, {@code refusal_suppression} or {@code prefix_injection} ({@link PromptFrame})
 */
public record MisdirectionParams(String wrapper) {
    public MisdirectionParams {
        wrapper = wrapper == null ? PromptFrame.ROLE_PLAY.id() : wrapper;
        try {
            PromptFrame.of(wrapper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wrapper: " + e.getMessage());
        }
    }

    public PromptFrame frame() {
        return PromptFrame.of(wrapper);
    }
}
