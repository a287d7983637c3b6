package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;

import java.util.Map;

/**
 * The baseline every leaderboard needs: the parent is released as it is. Scoring the undefended checkpoint under the
 * same attacks and metrics as the defended ones is what makes a defence's gain measurable. Takes no config (any key
 * is an error) and never touches the weights.
 */
public final class NoDefence implements Defence {
    public static final String NAME = "none";

    /** The {@code config} of {@code none}: it has no keys. */
    public record NoDefenceConfig() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        return DefenceResult.completed(0, Map.of());
    }
}
