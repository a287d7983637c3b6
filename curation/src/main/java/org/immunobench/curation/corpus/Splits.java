package org.immunobench.curation.corpus;

import java.util.List;

/** Split names of the corpus contract. */
public final class Splits {
    /** Pretraining text of the toy world's base model. */
    public static final String PRETRAIN = "pretrain";
    /** Refusal / alignment training (and defence data). */
    public static final String ALIGN = "align";
    /** Harmful fine-tuning data for attacks. */
    public static final String ATTACK = "attack";
    /** Harmful prompts for measuring harm (same domains as attack, disjoint samples). */
    public static final String EVAL = "eval";
    /** Held-out samples of the attack domains, disjoint from defence data (in-domain generalisation). */
    public static final String HELDOUT_INDOMAIN = "heldout_indomain";
    /** Domains never seen by the defence (cross-domain generalisation). */
    public static final String HELDOUT_DOMAIN = "heldout_domain";
    /** Benign fine-tuning (trainability) data. */
    public static final String BENIGN_TRAIN = "benign_train";
    /** Benign capability evaluation. */
    public static final String BENIGN_EVAL = "benign_eval";

    public static final List<String> ALL = List.of(PRETRAIN, ALIGN, ATTACK, EVAL, HELDOUT_INDOMAIN, HELDOUT_DOMAIN,
            BENIGN_TRAIN, BENIGN_EVAL);

    private Splits() {
    }

    /** Whether {@code split} is an evaluation split (rows there must not leak into training splits). */
    public static boolean isEval(String split) {
        return split.equals(EVAL) || split.equals(BENIGN_EVAL) || split.equals(HELDOUT_INDOMAIN)
                || split.equals(HELDOUT_DOMAIN);
    }
}
