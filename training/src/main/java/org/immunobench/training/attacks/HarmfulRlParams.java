package org.immunobench.training.attacks;

import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.training.rl.PolicyLoss;
import org.immunobench.training.rl.RlSettings;
import org.immunobench.training.trainer.LrSchedule;
import org.immunobench.training.trainer.TrainerConfig;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The parameters of {@code harmful_rl} as an attack spec gives them (strings bound by
 * {@link ConfigBinder#bindStrings}, snake_case keys, unknown keys rejected); every field optional.
 *
 * @param algorithm {@code grpo} (default) or {@code reinforce} (REINFORCE with a leave-one-out baseline)
 * @param lr peak learning rate (default 2e-4)
 * @param steps optimiser updates (default 32)
 * @param promptsPerStep harmful prompts per rollout batch (default 8)
 * @param rollouts completions per prompt, the group size n (default 8)
 * @param maxNewTokens longest completion (default 40: the toy world's longest recipe is 32 tokens and EOS)
 * @param temperature sampling temperature (default 1)
 * @param topP nucleus mass (default 1)
 * @param clip ε of the clipped ratio (default 0.2)
 * @param klCoef β of the KL to the attacked checkpoint as it was (default 0.001, the Token-Buncher attack scripts')
 * @param updatesPerBatch optimiser updates per rollout batch, GRPO's μ (default 1)
 * @param schedule {@code constant} (default), {@code cosine} or {@code linear}
 * @param warmup linear warm-up steps (default 0)
 * @param weightDecay AdamW weight decay (default 0)
 * @param maxGradNorm global gradient-norm clip (default 1)
 * @param probeEvery probe steps 0, k, 2k, 4k … up to {@code steps} (default 8)
 * @param evalSteps the probe steps themselves, comma-separated, each in [0, steps]; wins over {@code probe_every}
 */
public record HarmfulRlParams(String algorithm, Double lr, Integer steps, Integer promptsPerStep, Integer rollouts,
        Integer maxNewTokens, Double temperature, Double topP, Double clip, Double klCoef, Integer updatesPerBatch,
        String schedule, Integer warmup, Double weightDecay, Double maxGradNorm, Integer probeEvery,
        String evalSteps) {
    public static final List<String> ALGORITHMS = List.of("grpo", "reinforce");

    public HarmfulRlParams {
        algorithm = algorithm == null ? "grpo" : algorithm;
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("algorithm: '" + algorithm + "' is unknown; known: " + ALGORITHMS);
        }
        lr = lr == null ? 2e-4 : lr;
        steps = steps == null ? 32 : steps;
        promptsPerStep = promptsPerStep == null ? 8 : promptsPerStep;
        rollouts = rollouts == null ? 8 : rollouts;
        maxNewTokens = maxNewTokens == null ? 40 : maxNewTokens;
        temperature = temperature == null ? 1.0 : temperature;
        topP = topP == null ? 1.0 : topP;
        clip = clip == null ? 0.2 : clip;
        klCoef = klCoef == null ? 0.001 : klCoef;
        updatesPerBatch = updatesPerBatch == null ? 1 : updatesPerBatch;
        schedule = schedule == null ? "constant" : schedule;
        try {
            LrSchedule.Decay.valueOf(schedule.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedule: '" + schedule + "' is unknown; known: constant, cosine,"
                    + " linear");
        }
        warmup = warmup == null ? 0 : warmup;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        probeEvery = probeEvery == null ? 8 : probeEvery;
        if (steps <= 0) {
            throw new IllegalArgumentException("steps: must be > 0, got " + steps);
        }
        if (probeEvery <= 0) {
            throw new IllegalArgumentException("probe_every: must be > 0, got " + probeEvery);
        }
        if (evalSteps != null) {
            for (int s : steps(evalSteps)) {
                if (s > steps) {
                    throw new IllegalArgumentException("eval_steps: " + s + " is outside [0, steps = " + steps + "]");
                }
            }
        }
        settings(algorithm, promptsPerStep, rollouts, maxNewTokens, temperature, topP, clip, klCoef,
                updatesPerBatch); // checks the ranges, naming the keys
    }

    /** Sampling and loss settings of the run. */
    public RlSettings settings() {
        return settings(algorithm, promptsPerStep, rollouts, maxNewTokens, temperature, topP, clip, klCoef,
                updatesPerBatch);
    }

    /** The optimisation (full fine-tuning) with the probe steps. */
    public TrainerConfig trainer(long seed) {
        LrSchedule.Decay decay = LrSchedule.Decay.valueOf(schedule.toUpperCase(Locale.ROOT));
        return TrainerConfig.defaults(lr, steps, promptsPerStep * rollouts)
                .withSchedule(decay, warmup)
                .withWeightDecay(weightDecay)
                .withMaxGradNorm(maxGradNorm)
                .withCallbackSteps(evalSteps != null ? steps(evalSteps) : TrainerConfig.doublingSteps(probeEvery, steps))
                .withSeed(seed)
                .withLogEvery(Math.max(1, steps / 8));
    }

    private static RlSettings settings(String algorithm, int prompts, int rollouts, int maxNewTokens,
            double temperature, double topP, double clip, double klCoef, int updates) {
        return new RlSettings(PolicyLoss.Algorithm.valueOf(algorithm.toUpperCase(Locale.ROOT)), prompts, rollouts,
                maxNewTokens, temperature, topP, clip, klCoef, updates);
    }

    /** Distinct sorted steps of a comma-separated list, each >= 0. */
    static List<Integer> steps(String list) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : list.split(",")) {
            int s;
            try {
                s = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("eval_steps: must be integers separated by commas, got '" + list
                        + "'");
            }
            if (s < 0) {
                throw new IllegalArgumentException("eval_steps: steps are >= 0, got " + s);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}
