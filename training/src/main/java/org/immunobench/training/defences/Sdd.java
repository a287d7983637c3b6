package org.immunobench.training.defences;

import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.training.trainer.Objective;
import org.immunobench.training.trainer.StepContext;
import org.immunobench.training.trainer.StepLoss;
import org.immunobench.training.trainer.TrainingExample;
import org.immunobench.training.trainer.TrainingResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SDD, Self-Degraded Defense (Chen, Lu, Lin, Zeng, "SDD: Self-Degraded Defense against Malicious Fine-tuning",
 * arXiv 2507.21182, ACL 2025). Teaches the model to answer harmful requests with high-quality but irrelevant benign
 * answers, so that harmful fine-tuning has no compliant behaviour to amplify and degrades the model instead of
 * making it useful for harm. Needs harmful prompts only (no harmful answers).
 *
 * <p>Data: pairs (x_h, y_b), x_h a harmful prompt, y_b the response of a benign example of another task, chosen
 * per prompt by a seeded draw among benign responses whose token-set Jaccard similarity to the prompt is at most
 * {@code similarity_ceiling} (special tokens left out). Like the paper, up to 50 uniform draws are tried first;
 * unlike it, when all 50 fail the whole benign stream is searched for an answer under the ceiling (uniform among
 * those), and only when none exists is the least similar answer taken, as the paper does after 50 failures (counted
 * in {@code pairs_above_ceiling}). With {@code reject: true} (the paper's SDD_reject) a refusal is put in front of
 * y_b: the paper prepends "I refuse to answer your question for responsible and ethical reasons. I provided an
 * irrational answer to your question."; the toy world has no such words, so we prepend the alignment stream's own
 * refusal of that prompt (a seeded draw among all refusals when the prompt has none), whose first sentence says
 * the same thing, and leave out the second sentence, which has no toy-world wording. (The toy-world oracle calls a
 * refusal followed by another task's answer not fluent, so SDD_reject's stability figures show that by design.)
 * <pre>
 *   L(θ) = E_{(x_h, y_b)} [ −(1/|y_b|) Σ_t log p_θ(y_b,t | x_h, y_b,&lt;t) ]                 (completion-only SFT)
 *        + retain_weight · E_{(x, y) ~ benign} [ −(1/|y|) Σ_t log p_θ(y_t | x, y_&lt;t) ]
 * </pre>
 * each term a token mean over one micro-batch of {@code batch} examples per update, so SDD pairs and benign retain
 * examples are mixed 1 : 1 by count, the retain term weighted by {@code retain_weight}. The paper trains on the
 * pairs alone; the retain stream is our addition, because on the toy model answering harmful prompts with other
 * tasks' answers also disturbs those tasks on their own prompts (measured on the toy world's aligned model, 100
 * updates: benign accuracy 0.91 without the retain term, 0.99 with it, parent 1.00). retain_weight 0 is the
 * paper's objective.
 *
 * <p>Defaults (paper's, from a re-implementation citing them: 8000 pairs, lr 5e-7, 500 steps, batch 24, constant
 * lr, SBERT cosine ceiling 0.25 with all-MiniLM-L6-v2): ours are 100 updates of 8 at lr 5e-4 with the shared
 * cosine schedule ({@link DefenceTraining}), one pair per harmful prompt the defender holds. The toy model has
 * ~0.84M parameters and was aligned at lr 1.5e-3, so a 7B model's 5e-7 would not move it; 100 × 8 keeps the
 * defence well under 30 s on one CPU thread. The ceiling keeps the paper's 0.25, but on a different measure
 * (token-set Jaccard instead of sentence-embedding cosine; the toy world has no sentence encoder): on the toy
 * world almost every benign answer passes it, since benign tasks share few words with harm requests.
 */
public final class Sdd implements Defence {
    public static final String NAME = "sdd";
    /** Uniform draws tried per prompt before searching the whole benign stream (the paper's resample limit). */
    static final int DRAWS = 50;

    /**
     * The {@code config} of {@code sdd}; every field optional.
     *
     * @param steps optimiser updates (default 100)
     * @param lr peak learning rate (default 5e-4)
     * @param batch examples per micro-batch of each stream (default 8)
     * @param similarityCeiling highest token-set Jaccard similarity between a harmful prompt and its benign answer,
     *     in [0, 1] (default 0.25)
     * @param reject SDD_reject: put a refusal in front of every benign answer (default false)
     * @param retainWeight weight of the benign retain term; 0 = the paper's pairs-only objective (default 1)
     */
    public record SddConfig(Integer steps, Double lr, Integer batch, Double similarityCeiling, Boolean reject,
            Double retainWeight) {
        public SddConfig {
            steps = DefenceTraining.positive("steps", steps, 100);
            lr = DefenceTraining.nonNegative("lr", lr, 5e-4, true);
            batch = DefenceTraining.positive("batch", batch, 8);
            similarityCeiling = DefenceTraining.nonNegative("similarity_ceiling", similarityCeiling, 0.25, false);
            if (similarityCeiling > 1) {
                throw new IllegalArgumentException("similarity_ceiling must be <= 1, got " + similarityCeiling);
            }
            reject = reject != null && reject;
            retainWeight = DefenceTraining.nonNegative("retain_weight", retainWeight, 1.0, false);
        }

        public static SddConfig defaults() {
            return new SddConfig(null, null, null, null, null, null);
        }
    }

    /**
     * One training pair.
     *
     * @param prompt the harmful prompt
     * @param response what is trained: the benign answer, after a refusal when {@code reject}
     * @param benignIndex which benign example the answer is the response of
     * @param similarity token-set Jaccard of prompt and benign answer
     */
    record Pair(int[] prompt, int[] response, int benignIndex, double similarity) {
        TrainingExample example() {
            return TrainingExample.promptResponse(prompt, response);
        }
    }

    private final SddConfig config;
    private final long seed;

    public Sdd(SddConfig config, long seed) {
        this.config = config == null ? SddConfig.defaults() : config;
        this.seed = seed;
    }

    public SddConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        ModelConfig model = weights.config();
        ExampleStream.require(NAME, "harmful prompts", data.harmfulPrompts());
        ExampleStream.require(NAME, "benign", data.benign());
        if (config.reject()) {
            ExampleStream.require(NAME + " with reject: true", "alignment", data.alignment());
        }
        List<Pair> pairs = pairs(data.harmfulPrompts(), data.benign(), config.reject() ? data.alignment()
                : List.of(), config.similarityCeiling(), seed, model);
        ExampleStream sddStream = new ExampleStream("sdd pairs", pairs.stream().map(Pair::example).toList(), seed,
                model);
        ExampleStream retain = config.retainWeight() > 0
                ? new ExampleStream("benign", data.benign(), seed, model) : null;
        LossHistory history = new LossHistory();
        Objective objective = ctx -> history.add(step(ctx, sddStream, retain));
        TrainingResult r = DefenceTraining.train(weights, objective, config.steps(), config.lr(), config.batch(), seed);
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("pairs", (double) pairs.size());
        fixed.put("pairs_above_ceiling", (double) pairs.stream()
                .filter(p -> p.similarity() > config.similarityCeiling()).count());
        fixed.put("pair_similarity_mean", pairs.stream().mapToDouble(Pair::similarity).average().orElse(0));
        return DefenceResult.of(r, history.metrics("", r, fixed));
    }

    private StepLoss step(StepContext ctx, ExampleStream pairs, ExampleStream retain) {
        LlamaWeights w = ctx.weights();
        int chunk = ctx.config().vocabChunk();
        Map<String, Double> parts = new LinkedHashMap<>();
        ResponseBatch sdd = pairs.next(config.batch());
        long tokens = sdd.realTokens();
        long lossTokens = sdd.targets();
        double loss = sdd.backwardMeanNll(w, 1.0, chunk);
        parts.put("sdd_nll", loss);
        if (retain != null) {
            ResponseBatch benign = retain.next(config.batch());
            double nll = benign.backwardMeanNll(w, config.retainWeight(), chunk);
            parts.put("retain_nll", nll);
            loss += config.retainWeight() * nll;
            tokens += benign.realTokens();
            lossTokens += benign.targets();
        }
        return new StepLoss(loss, tokens, lossTokens, parts);
    }

    /**
     * One pair per harmful prompt, in prompt order. The answer is the response of a benign example that fits the
     * context after the prompt (and refusal) and whose token-set Jaccard with the prompt is at most
     * {@code ceiling}: the first such among {@value #DRAWS} uniform seeded draws, else a uniform seeded draw among
     * all such answers, else (none exists) the least similar answer that fits.
     *
     * @param refusals the alignment stream when a refusal is put in front of each answer (SDD_reject), else empty
     */
    static List<Pair> pairs(List<int[]> harmfulPrompts, List<TrainingExample> benign, List<TrainingExample> refusals,
            double ceiling, long seed, ModelConfig model) {
        List<int[]> answers = benign.stream().map(TokenSets::response).toList();
        List<int[]> answerSets = answers.stream().map(a -> TokenSets.of(a, model)).toList();
        Map<String, Integer> refusalOfPrompt = new java.util.HashMap<>();
        for (int i = 0; i < refusals.size(); i++) {
            refusalOfPrompt.putIfAbsent(Arrays.toString(TokenSets.prompt(refusals.get(i))), i);
        }
        Random random = new Random(ExampleStream.streamSeed(seed, "sdd pairing"));
        List<Pair> out = new ArrayList<>(harmfulPrompts.size());
        for (int[] prompt : harmfulPrompts) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException(NAME + ": a harmful prompt is empty");
            }
            int[] refusal = new int[0];
            if (!refusals.isEmpty()) { // the prompt's own refusal, else a seeded draw among all of them
                Integer own = refusalOfPrompt.get(Arrays.toString(prompt));
                int r = own != null ? own : random.nextInt(refusals.size());
                refusal = TokenSets.withoutEos(TokenSets.response(refusals.get(r)), model);
            }
            int room = model.maxPositionEmbeddings() - prompt.length - refusal.length;
            int[] promptSet = TokenSets.of(prompt, model);
            int chosen = -1;
            for (int d = 0; d < DRAWS && chosen < 0; d++) {
                int i = random.nextInt(answers.size());
                if (answers.get(i).length <= room && TokenSets.jaccard(promptSet, answerSets.get(i)) <= ceiling) {
                    chosen = i;
                }
            }
            if (chosen < 0) {
                List<Integer> eligible = new ArrayList<>();
                int leastSimilar = -1;
                double least = Double.POSITIVE_INFINITY;
                for (int i = 0; i < answers.size(); i++) {
                    if (answers.get(i).length > room) {
                        continue;
                    }
                    double s = TokenSets.jaccard(promptSet, answerSets.get(i));
                    if (s <= ceiling) {
                        eligible.add(i);
                    }
                    if (s < least) {
                        least = s;
                        leastSimilar = i;
                    }
                }
                if (leastSimilar < 0) {
                    throw new IllegalArgumentException(NAME + ": no benign answer fits max_position_embeddings "
                            + model.maxPositionEmbeddings() + " after a harmful prompt of " + prompt.length
                            + " tokens" + (refusal.length > 0 ? " and a refusal of " + refusal.length : ""));
                }
                chosen = eligible.isEmpty() ? leastSimilar : eligible.get(random.nextInt(eligible.size()));
            }
            int[] answer = answers.get(chosen);
            int[] response = Arrays.copyOf(refusal, refusal.length + answer.length);
            System.arraycopy(answer, 0, response, refusal.length, answer.length);
            out.add(new Pair(prompt.clone(), response, chosen,
                    TokenSets.jaccard(promptSet, answerSets.get(chosen))));
        }
        return out;
    }
}
