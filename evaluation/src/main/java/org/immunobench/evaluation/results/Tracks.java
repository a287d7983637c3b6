package org.immunobench.evaluation.results;

import java.util.List;

/**
 * The leaderboard tracks, the {@code track} column of metric and pillar rows. {@code open_weight}: the defence edits
 * the weights before release and the attacker fine-tunes them as it likes (Rosati et al. 2402.16382).
 * {@code finetuning_stage}: the provider runs the user's fine-tuning and the defence runs inside it (Lisa, Security
 * Vectors); the checkpoint attacked is the undefended parent and {@code defence} names the fine-tuning-stage defence.
 * The two threat models differ, so the tracks are ranked in separate tables.
 */
public final class Tracks {
    public static final String OPEN_WEIGHT = "open_weight";
    public static final String FINETUNING_STAGE = "finetuning_stage";
    public static final List<String> ALL = List.of(OPEN_WEIGHT, FINETUNING_STAGE);

    private Tracks() {
    }

    /**
     * The track of the undefended baseline of a row of {@code track}: its own for open-weight rows; for
     * fine-tuning-stage rows, open_weight — the plain attack on the same checkpoint (defence none), which is what the
     * defence changes.
     */
    public static String baselineTrack(String track) {
        return FINETUNING_STAGE.equals(track) ? OPEN_WEIGHT : track;
    }
}
