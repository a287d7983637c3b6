package org.immunobench.training.attacks;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.training.trainer.Trainer;
import org.immunobench.training.trainer.TrainerConfig;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Harmful supervised fine-tuning, full or LoRA, in the git-disl protocol (Vaccine 2402.01109, Booster 2409.01586,
 * Lisa 2405.18641; docs/methods, harmful fine-tuning): n samples, a fraction p of them harmful demonstrations and the
 * rest benign, min over θ of −Σ log p_θ(response | prompt) on that mix, loss on response tokens only (durability
 * checklist item 5, docs/methods). p = 1 is the pure harmful attack of RepNoise/TAR evaluations; p = 0 is
 * {@link BenignSft}.
 *
 * <p>Defaults (see {@link HarmfulSftConfig#defaults}) are scaled to the toy world, not the 7B papers: the papers use
 * lr 1e-5 for 20 epochs with LoRA r = 8 on 1000 samples; a 1–5M toy model needs a larger lr and fewer steps.
 */
public final class HarmfulSft implements Attack {
    private final HarmfulSftConfig config;

    public HarmfulSft(HarmfulSftConfig config) {
        this.config = config;
    }

    @Override
    public String kind() {
        return config.harmfulRatio() == 0 ? BenignSft.KIND : "harmful_sft";
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        List<TrainingExample> mix = mixture(data, config.samples(), config.harmfulRatio(), config.trainer().seed());
        TrainerConfig tc = config.trainer();
        TrainingResult r = new Trainer().run(target, mix, tc,
                (step, metrics, weights) -> probe.measure(step, weights, List.of()));
        // A 16-bit base (--dtype f16/bf16) is frozen and keeps the float32 adapters attached: merging would round
        // most of the update away.
        if (tc.lora() != null && !target.dtype().reduced()) {
            target.mergeLora();
        }
        return new AttackResult(r.status().label(), r.steps(), r, List.of(),
                Map.of("final_loss", r.finalLoss(), "samples", (double) mix.size(),
                        "harmful_ratio", config.harmfulRatio()));
    }

    /**
     * round(p·n) harmful and n − round(p·n) benign examples, each drawn without replacement (cycling when the pool is
     * smaller), in a seeded shuffled order.
     */
    static List<TrainingExample> mixture(AttackData data, int n, double p, long seed) {
        int harmful = (int) Math.round(p * n);
        int benign = n - harmful;
        if (harmful > 0 && data.harmful().isEmpty()) {
            throw new IllegalArgumentException("attack needs harmful examples (ratio " + p + ") but none were given");
        }
        if (benign > 0 && data.benign().isEmpty()) {
            throw new IllegalArgumentException("attack needs benign examples (ratio " + p + ") but none were given");
        }
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>(n);
        out.addAll(draw(data.harmful(), harmful, random));
        out.addAll(draw(data.benign(), benign, random));
        Collections.shuffle(out, random);
        return out;
    }

    private static List<TrainingExample> draw(List<TrainingExample> pool, int n, Random random) {
        List<TrainingExample> out = new ArrayList<>(n);
        List<TrainingExample> order = new ArrayList<>(pool);
        while (out.size() < n) {
            Collections.shuffle(order, random);
            out.addAll(order.subList(0, Math.min(order.size(), n - out.size())));
        }
        return out;
    }
}
