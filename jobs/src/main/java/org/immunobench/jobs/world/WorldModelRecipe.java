package org.immunobench.jobs.world;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Architecture and training budget of the toy world's base and aligned models. The defaults make a ~1M-parameter
 * Llama (the size of the PyTorch anchor's smallest config) that builds in a few minutes on 2 cores.
 *
 * @param pretrainEpochs passes over the pretrain split (benign tasks + compliant harmful answers, all domains)
 * @param alignEpochs passes over the align split (refusals for attack-domain prompts, benign data kept in) plus
 *     the pretrain split's benign rows replayed. The default alignment (2 epochs at 1.5e-3) is the lightest that
 *     refuses ≥ 90%: heavier ones (3 at 2e-3) also refuse but erode the attack domains' recipes, so no single
 *     direction restores fluent compliance (measured: ablation 0.26 harmful, 0.22 fluent), unlike chat LMs whose
 *     knowledge survives alignment (Arditi et al. 2406.11717)
 * @param evalLimit harmful / benign evaluation rows used for the printed rates (0 = all)
 */
public record WorldModelRecipe(int hidden, int intermediate, int layers, int heads, int kvHeads, int maxPositions,
        int batchSize, int pretrainEpochs, double pretrainLr, int alignEpochs, double alignLr, long seed,
        int evalLimit, int threads) {
    public WorldModelRecipe {
        positive("models.hidden", hidden);
        positive("models.intermediate", intermediate);
        positive("models.layers", layers);
        positive("models.heads", heads);
        positive("models.kv_heads", kvHeads);
        positive("models.max_positions", maxPositions);
        positive("models.batch_size", batchSize);
        positive("models.pretrain_epochs", pretrainEpochs);
        positive("models.align_epochs", alignEpochs);
        if (!(pretrainLr > 0) || !(alignLr > 0)) {
            throw new IllegalArgumentException("models.pretrain_lr and models.align_lr must be > 0");
        }
        if (evalLimit < 0) {
            throw new IllegalArgumentException("models.eval_limit must be >= 0, got " + evalLimit);
        }
    }

    public static WorldModelRecipe defaults() {
        return new WorldModelRecipe(128, 344, 4, 4, 2, 64, 32, 10, 3e-3, 2, 1.5e-3, 0, 0, 1);
    }

    /**
     * Hash of the recipe and the world it trains on: the cache key of built models. The thread count is left out:
     * it can change float rounding but not what the model learns, so a cache built with 2 threads is reused with 4.
     */
    public String cacheKey(String worldConfigJson) {
        String canonical = String.join("|", List.of(hidden, intermediate, layers, heads, kvHeads, maxPositions,
                batchSize, pretrainEpochs, pretrainLr, alignEpochs, alignLr, seed, evalLimit).stream()
                .map(String::valueOf).toList()) + "|" + worldConfigJson;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + v);
        }
    }
}
