package org.immunobench.training.attacks;

import org.immunobench.lm.model.LoraConfig;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.TrainerConfig;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The parameters of the fine-tuning attacks ({@code harmful_sft}, {@code harmful_lora}, {@code benign_sft}) as an
 * attack spec gives them, bound by {@link AttackFactory}; every field is optional and falls back to
 * {@link HarmfulSftConfig#defaults}. {@link #toConfig} turns them into the attack's optimisation and data mix.
 *
 * @param lr peak learning rate
 * @param steps optimiser updates
 * @param batch examples per update
 * @param samples n, size of the attack set
 * @param harmfulRatio p, fraction of harmful demonstrations in it (not for {@code benign_sft}, which has none)
 * @param schedule {@code constant}, {@code cosine} or {@code linear} decay
 * @param warmup linear warm-up steps
 * @param weightDecay AdamW weight decay
 * @param maxGradNorm global gradient-norm clip
 * @param loraRank LoRA rank; setting it (or kind {@code harmful_lora}) trains LoRA adapters instead of all weights
 * @param loraAlpha LoRA scale numerator (default 2·rank)
 * @param loraTargets comma-separated projections, default {@code q_proj,v_proj}
 * @param probeEvery probe steps 0, k, 2k, 4k … up to {@code steps} (default 8)
 * @param evalSteps the probe steps themselves, comma-separated, each in [0, steps]; wins over {@code probe_every}
 */
public record SftAttackParams(Double lr, Integer steps, Integer batch, Integer samples, Double harmfulRatio,
        String schedule, Integer warmup, Double weightDecay, Double maxGradNorm, Integer loraRank, Double loraAlpha,
        String loraTargets, Integer probeEvery, String evalSteps) {
    public SftAttackParams {
        if (schedule != null) {
            try {
                LrSchedule.Decay.valueOf(schedule.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule: '" + schedule
                        + "' is unknown; known: constant, cosine, linear");
            }
        }
        if (probeEvery != null && probeEvery <= 0) {
            throw new IllegalArgumentException("probe_every: must be > 0, got " + probeEvery);
        }
        if (loraRank != null && loraRank <= 0) {
            throw new IllegalArgumentException("lora_rank: must be > 0, got " + loraRank);
        }
        if (evalSteps != null) {
            parseSteps(evalSteps); // checked here so the message names the key
        }
    }

    /** The attack's optimisation and data mix, from these parameters over the toy-world defaults. */
    HarmfulSftConfig toConfig(String kind, long seed) {
        HarmfulSftConfig d = HarmfulSftConfig.defaults(seed);
        TrainerConfig t = d.trainer();
        int n = or(steps, t.maxSteps());
        List<Integer> probeSteps = evalSteps != null ? parseSteps(evalSteps)
                : TrainerConfig.doublingSteps(or(probeEvery, 8), n);
        for (int s : probeSteps) {
            if (s > n) {
                throw new IllegalArgumentException(kind + ".eval_steps: " + s + " is outside [0, steps = " + n + "]");
            }
        }
        LrSchedule.Decay decay = schedule == null ? t.schedule()
                : LrSchedule.Decay.valueOf(schedule.toUpperCase(Locale.ROOT));
        // The defaults' probe steps are dropped first: they may lie beyond a shorter run.
        t = t.withCallbackSteps(List.of()).withLearningRate(or(lr, t.learningRate()))
                .withMaxSteps(n)
                .withBatch(or(batch, t.batchSize()), 1)
                .withSchedule(decay, or(warmup, 0))
                .withWeightDecay(or(weightDecay, t.weightDecay()))
                .withMaxGradNorm(or(maxGradNorm, t.maxGradNorm()))
                .withCallbackSteps(probeSteps)
                .withSeed(seed);
        if (kind.equals("harmful_lora") || loraRank != null) {
            int rank = or(loraRank, 8);
            List<String> targets = List.of((loraTargets == null ? "q_proj,v_proj" : loraTargets).split(","));
            t = t.withLora(new LoraConfig(rank, or(loraAlpha, 2.0 * rank), targets, seed));
        }
        if (kind.equals("benign_sft") && harmfulRatio != null) {
            throw new IllegalArgumentException(kind + ".harmful_ratio: benign_sft trains on benign data only;"
                    + " use harmful_sft with harmful_ratio for a mix");
        }
        double ratio = kind.equals("benign_sft") ? 0.0 : or(harmfulRatio, d.harmfulRatio());
        return new HarmfulSftConfig(or(samples, d.samples()), ratio, t);
    }

    /** {@code eval_steps}: distinct sorted non-negative steps. */
    private static List<Integer> parseSteps(String spec) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            int s;
            try {
                s = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("eval_steps: must be integers separated by commas, got '"
                        + spec + "'");
            }
            if (s < 0) {
                throw new IllegalArgumentException("eval_steps: " + s + " is negative");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
