package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.prompt.PromptFrame;

import java.util.List;
import java.util.Map;

/**
 * Contextual misdirection: a prompt-level stress test that changes no weight. Every harmful evaluation request is
 * wrapped in one frame of a published jailbreak family ({@link PromptFrame}: role-play, fiction, a research
 * purpose, refusal suppression, prefix injection; Wei et al. 2307.02483 for the competing-objectives families) and
 * the model's greedy answers are judged against the request as it was, as TamperBench's prompt attack scores
 * against the original prompt (docs/methods.md, contextual misdirection). Representation defences are meant to key
 * on harmfulness; a frame that dilutes the request's harmful signal tests whether they key on its surface instead.
 *
 * <p>Measured like the forward-only attacks: step 0 is the released model on the plain requests, step 1 the same
 * model on the framed ones. On the toy world the frames' words are known from harmless pretraining rows only in
 * worlds built with {@code framedPretrainPerTask} (docs/toy-world.md); in other worlds they are unknown tokens.
 */
public final class Misdirection implements Attack {
    public static final String KIND = "misdirection";

    private final PromptFrame frame;

    public Misdirection(MisdirectionParams params) {
        this.frame = params.frame();
    }

    @Override
    public String kind() {
        return KIND;
    }

    public PromptFrame frame() {
        return frame;
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        probe.measureFramed(1, target, frame);
        return new AttackResult("completed", 0, null, List.of(), Map.of());
    }
}
