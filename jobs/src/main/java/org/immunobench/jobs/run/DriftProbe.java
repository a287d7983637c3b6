package org.immunobench.jobs.run;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.evaluation.metrics.HarmfulEmbeddingDrift;
import org.immunobench.evaluation.metrics.LayerCosine;
import org.immunobench.evaluation.metrics.PerplexityDrift;
import org.immunobench.evaluation.metrics.ResidualStates;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ResidualIntervention;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.tokenizer.LmTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ModelProbe} measures inside the model besides its outputs (docs/methods.md, "Probes"), at every
 * evaluation step of an attack:
 * <ul>
 *   <li>{@code hed}: Vaccine's harmful embedding drift ({@link HarmfulEmbeddingDrift}) of the held-out harmful
 *       texts (prompt and harmful answer, the rows of {@code harmful_nll}) against the checkpoint as released;
 *       0 at step 0;</li>
 *   <li>{@code hed_parent}: the same against the defence's parent (at step 0: how far the defence itself moved
 *       harmful representations);</li>
 *   <li>{@code cosine_l<k>}: mean cosine of layer k's output with the parent's on the same texts
 *       ({@link LayerCosine}; k 0-based, as circuit breakers' {@code target_layers});</li>
 *   <li>{@code general_ppl} and {@code ppl_drift}: perplexity of the general text and its ratio to the parent's
 *       ({@link PerplexityDrift}); the Stability pillar reads {@code ppl_drift} at step 0. On the toy world the
 *       general text is the benign evaluation answers of the pretrained tasks given their prompts, answer tokens
 *       only: the world's models were trained to model answers, never prompts, so prompt tokens would add a flat
 *       near-uniform term; the task held back for trainability is left out, so that benign fine-tuning on it does
 *       not read as a perplexity gain.</li>
 * </ul>
 * The references (the parent's and the released checkpoint's states, the parent's NLL) are taken once per task by
 * {@link #prepare}. Trainability tasks have no harmful texts and get the perplexity rows only. Under inference-time
 * interventions (refusal-direction ablation, ActAdd) the representation rows are measured with the interventions
 * applied; the perplexity rows are skipped, as the harmful NLL is (the scorer runs no interventions).
 */
final class DriftProbe {
    /** One figure for a metric row. */
    record Figure(String metric, double value, long n, boolean higherIsBetter) {
    }

    private final List<int[]> harmfulTexts;
    private final List<ScoringInput> generalText;
    private final int batchSize;
    private ResidualStates parentStates;
    private ResidualStates releasedStates;
    private double parentNllSum;
    private long parentTokens;

    DriftProbe(List<CorpusRow> harmful, List<CorpusRow> general, LmTokenizer tokenizer, int batchSize) {
        this.harmfulTexts = harmful.stream().map(r -> tokenizer.forPromptResponse(r.prompt(), r.response()).tokens())
                .toList();
        this.generalText = general.stream().map(r -> tokenizer.forPromptResponse(r.prompt(), r.response())).toList();
        this.batchSize = batchSize;
    }

    /** Takes the references: the parent's states and NLL, and the states of the checkpoint before the attack. */
    void prepare(LlamaWeights released, LlamaWeights parent) {
        if (!harmfulTexts.isEmpty()) {
            parentStates = ResidualStates.capture(parent, harmfulTexts, List.of(), batchSize);
            releasedStates = ResidualStates.capture(released, harmfulTexts, List.of(), batchSize);
        }
        if (!generalText.isEmpty()) {
            double[] s = nll(parent);
            parentNllSum = s[0];
            parentTokens = (long) s[1];
        }
    }

    List<Figure> measure(LlamaWeights w, List<ResidualIntervention> interventions) {
        List<Figure> out = new ArrayList<>();
        if (!harmfulTexts.isEmpty()) {
            if (parentStates == null) {
                throw new IllegalStateException("drift probe: prepare(released, parent) was not called");
            }
            ResidualStates now = ResidualStates.capture(w, harmfulTexts, interventions, batchSize);
            out.add(new Figure("hed", HarmfulEmbeddingDrift.perToken(now, releasedStates), now.tokens(), false));
            out.add(new Figure("hed_parent", HarmfulEmbeddingDrift.perToken(now, parentStates), now.tokens(), true));
            double[] cos = LayerCosine.perLayer(now, parentStates);
            for (int l = 0; l < cos.length; l++) {
                out.add(new Figure("cosine_l" + l, cos[l], now.tokens(), false));
            }
        }
        if (!generalText.isEmpty() && interventions.isEmpty() && parentTokens > 0) {
            double[] s = nll(w);
            long tokens = (long) s[1];
            out.add(new Figure("general_ppl", PerplexityDrift.perplexity(s[0], tokens), tokens, false));
            out.add(new Figure("ppl_drift", PerplexityDrift.drift(s[0], tokens, parentNllSum, parentTokens), tokens,
                    false));
        }
        return out;
    }

    /** {NLL sum, tokens} of the general text under {@code w}. */
    private double[] nll(LlamaWeights w) {
        double sum = 0;
        long tokens = 0;
        for (SequenceScore s : new Scorer(w, RuntimeOptions.cpu()).score(generalText)) {
            sum += s.nllSum();
            tokens += s.nTokens();
        }
        return new double[]{sum, tokens};
    }
}
