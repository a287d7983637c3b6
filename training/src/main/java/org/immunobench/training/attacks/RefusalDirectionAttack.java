package org.immunobench.training.attacks;

import org.immunobench.lm.model.AddVector;
import org.immunobench.lm.model.HookPoint;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ProjectOut;
import org.immunobench.lm.model.ResidualIntervention;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refusal-direction attack (Arditi et al. 2406.11717), forward passes only.
 *
 * <p>Candidates r_{i,l} = μ_harmful − μ_harmless of the stream entering layer l at post-instruction position i
 * ({@link RefusalDirections}). Selection (the paper's): minimise the mean refusal score
 * log Σ_{t∈R} p(t) − log Σ_{t∉R} p(t) on harmful validation prompts under directional ablation, subject to
 * KL(base ‖ ablated) ≤ κ on harmless ones, adding r at layer l must induce refusal on harmless prompts
 * (score &gt; 0), and l in the first (1 − prune) of the layers. Selection by induced compliance (given a
 * {@link ComplianceMeasure}): maximise the judged compliance on the harmful validation prompts under ablation,
 * subject to the KL bound and the layer pruning. If no candidate passes the filters the best one is taken and
 * {@code filters_passed = 0} says so. Then, by mode: ablation x ← x − r̂ r̂ᵀ x at every hook point; weight orthogonalisation W ← W − r̂ r̂ᵀ W
 * ({@link WeightOrthogonalisation}); or ActAdd x ← x − r at layer l, every position.
 */
public final class RefusalDirectionAttack implements Attack {
    private final RefusalDirectionConfig config;
    private final ComplianceMeasure compliance;

    public RefusalDirectionAttack(RefusalDirectionConfig config) {
        this(config, null);
    }

    /**
     * @param compliance when given, candidates are ranked by the compliance they induce under ablation (higher
     *     first), ties by the refusal score; null ranks by the refusal score alone, as in the paper
     */
    public RefusalDirectionAttack(RefusalDirectionConfig config, ComplianceMeasure compliance) {
        this.config = config;
        this.compliance = compliance;
    }

    @Override
    public String kind() {
        return "refusal_direction_" + config.mode();
    }

    /** The chosen direction and the figures that chose it. */
    public record Selection(int layer, int position, float[] direction, double ablatedRefusal, double kl,
            double steeringRefusal, boolean filtersPassed, double baselineRefusal, double compliance) {
        /** Ordering key: higher is a better attack. */
        double rank() {
            return Double.isNaN(compliance) ? -ablatedRefusal : compliance * 1e6 - ablatedRefusal;
        }
    }

    @Override
    public AttackResult run(LlamaWeights target, AttackData data, AttackProbe probe) {
        if (data.refusalTokens().isEmpty()) {
            throw new IllegalArgumentException("refusal-direction attack needs refusal token ids");
        }
        Selection s = select(target, data);
        List<ResidualIntervention> interventions = switch (config.mode()) {
            case "ablation" -> List.of(ProjectOut.everywhere(s.direction()));
            case "actadd" -> List.of(inputOf(s.layer(), s.direction(), -1.0));
            default -> {
                if (target.config().tieWordEmbeddings()) {
                    throw new IllegalArgumentException("orthogonalise mode on a tied-embedding model would also change"
                            + " the output head; use mode ablation, or untie the embeddings first");
                }
                WeightOrthogonalisation.apply(target, s.direction());
                yield List.of();
            }
        };
        probe.measure(0, target, interventions);
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("layer", (double) s.layer());
        details.put("position", (double) -(s.position() + 1));
        details.put("baseline_refusal_score", s.baselineRefusal());
        details.put("ablated_refusal_score", s.ablatedRefusal());
        details.put("kl_harmless", s.kl());
        details.put("steering_refusal_score", s.steeringRefusal());
        details.put("filters_passed", s.filtersPassed() ? 1.0 : 0.0);
        if (!Double.isNaN(s.compliance())) {
            details.put("selection_compliance", s.compliance());
        }
        return new AttackResult("completed", 0, null, interventions, details);
    }

    /** The chosen direction; see {@link #candidates} for how every candidate scored. */
    public Selection select(LlamaWeights w, AttackData data) {
        return choose(candidates(w, data));
    }

    /**
     * The best candidate that passes the filters, else the best of all (its {@code filtersPassed} is false).
     *
     * @throws IllegalStateException when there is no candidate at all
     */
    public static Selection choose(List<Selection> candidates) {
        Selection best = null;
        Selection bestUnfiltered = null;
        for (Selection s : candidates) {
            if (bestUnfiltered == null || s.rank() > bestUnfiltered.rank()) {
                bestUnfiltered = s;
            }
            if (s.filtersPassed() && (best == null || s.rank() > best.rank())) {
                best = s;
            }
        }
        if (bestUnfiltered == null) {
            throw new IllegalStateException("every candidate refusal direction is zero: harmful and harmless prompts"
                    + " give identical activations");
        }
        return best != null ? best : bestUnfiltered;
    }

    /**
     * Every non-zero candidate direction of the selectable layers with its selection figures, in (layer,
     * position) order: the table Arditi et al. publish per model, and what a user reads to see why a direction won.
     */
    public List<Selection> candidates(LlamaWeights w, AttackData data) {
        int need = config.trainPrompts() + config.valPrompts();
        List<int[]> harmful = data.harmfulPrompts();
        List<int[]> harmless = data.harmlessPrompts();
        if (harmful.size() < 2 || harmless.size() < 2) {
            throw new IllegalArgumentException("refusal-direction attack needs at least 2 harmful and 2 harmless"
                    + " prompts, got " + harmful.size() + " and " + harmless.size());
        }
        // With fewer prompts than asked, split what there is in the same train:val proportion.
        int hTrain = split(harmful.size(), need);
        int nTrain = split(harmless.size(), need);
        List<int[]> harmfulTrain = harmful.subList(0, hTrain);
        List<int[]> harmfulVal = harmful.subList(hTrain, Math.min(harmful.size(), hTrain + config.valPrompts()));
        List<int[]> harmlessTrain = harmless.subList(0, nTrain);
        List<int[]> harmlessVal = harmless.subList(nTrain, Math.min(harmless.size(), nTrain + config.valPrompts()));

        float[][][] dirs = RefusalDirections.differenceInMeans(w, harmfulTrain, harmlessTrain, config.positions(),
                config.batchSize());
        double[][] baseHarmful = LastTokenLogits.logProbs(w, harmfulVal, List.of(), config.batchSize());
        double baselineRefusal = LastTokenLogits.meanRefusalScore(baseHarmful, data.refusalTokens());
        double[][] baseHarmless = LastTokenLogits.logProbs(w, harmlessVal, List.of(), config.batchSize());
        int maxLayer = Math.max(1, (int) Math.floor(w.config().numLayers() * (1 - config.prunedLayerFraction())));

        List<Selection> out = new ArrayList<>();
        for (int l = 0; l < maxLayer; l++) {
            for (int p = 0; p < config.positions(); p++) {
                float[] r = dirs[l][p];
                if (isZero(r)) {
                    continue;
                }
                List<ResidualIntervention> ablate = List.of(ProjectOut.everywhere(r));
                double ablated = LastTokenLogits.meanRefusalScore(
                        LastTokenLogits.logProbs(w, harmfulVal, ablate, config.batchSize()), data.refusalTokens());
                double kl = LastTokenLogits.meanKl(baseHarmless,
                        LastTokenLogits.logProbs(w, harmlessVal, ablate, config.batchSize()));
                double steering = LastTokenLogits.meanRefusalScore(LastTokenLogits.logProbs(w, harmlessVal,
                        List.of(inputOf(l, r, 1.0)), config.batchSize()), data.refusalTokens());
                // The steering filter guards the refusal-score proxy against directions that merely shift the
                // first token; a judge of whole completions needs no such guard (on the toy world the directions
                // that restore compliance best raise harmless refusal scores without crossing 0).
                boolean passes = kl <= config.klBound() && (compliance != null || steering > 0);
                double induced = compliance == null ? Double.NaN : compliance.measure(w, ablate, harmfulVal);
                out.add(new Selection(l, p, r, ablated, kl, steering, passes, baselineRefusal, induced));
            }
        }
        return out;
    }

    /** Activation addition on the stream entering layer l (l = 0: the embeddings), every position. */
    static ResidualIntervention inputOf(int layer, float[] direction, double coefficient) {
        HookPoint at = layer == 0 ? HookPoint.EMBEDDINGS : HookPoint.post(layer - 1);
        return new AddVector(direction, coefficient, p -> p.equals(at));
    }

    private int split(int available, int need) {
        if (available >= need) {
            return config.trainPrompts();
        }
        return Math.max(1, (int) Math.round(available * (double) config.trainPrompts() / need));
    }

    private static boolean isZero(float[] r) {
        for (float x : r) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }
}
