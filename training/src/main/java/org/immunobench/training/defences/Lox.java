package org.immunobench.training.defences;

import ai.djl.ndarray.NDArray;
import org.immunobench.lm.model.LlamaNames;
import org.immunobench.lm.model.LlamaWeights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoX, Low-Rank Extrapolation (Perin et al., "LoX: Low-Rank Extrapolation Robustifies LLM Safety Against
 * Fine-tuning", arXiv 2506.15606, COLM 2025). Training-free; needs the parent's pre-alignment model.
 *
 * <p>The paper's observation: what alignment changed in a weight matrix, ΔW = W_aligned − W_base, carries its safety
 * in the few top singular directions, and fine-tuning loses safety by eroding exactly that part. LoX therefore pushes
 * the aligned weights further along it. For each edited matrix, with the thin SVD ΔW = U S Vᵀ,
 * <pre>
 *   Proj_k(ΔW) = U[:, :k] S[:k] V[:, :k]ᵀ        (the best rank-k approximation of ΔW; k = 0 means ΔW itself)
 *   W_LoX      = W_aligned + α · Proj_k(ΔW)
 * </pre>
 * so the top-k alignment directions are scaled by 1 + α and everything else is left as aligned. Norm weights and
 * biases (1-D) are never touched.
 *
 * <p>Diagnostics, in the paper's notation: R_align = ‖P_k ΔW‖_F / ‖ΔW‖_F, with P_k = U_k U_kᵀ the projector
 * on the top-k left singular vectors (1 for k = 0); after an attack,
 * R_ft = ‖P_k (ΔW_align + ΔW_ft)‖_F / ‖ΔW_align + ΔW_ft‖_F, computed by {@link #meanSubspaceRatio}.
 * R_ft / R_align is how much of the safety subspace a fine-tune left standing.
 *
 * <p>Defaults, and where they differ from the paper or its code:
 * <ul>
 *   <li>{@code rank} 6. The official script defaults to 0 (extrapolate the full ΔW), but the paper picks k per model
 *     as the smallest rank at which W_base + Proj_k(ΔW) already behaves as safely as the aligned model: 3 for most
 *     of its 7B models, 6 for Llama-2-7B. We take the larger of those values. Our toy matrices are only 64 to 344
 *     wide, so 6 directions are already a sizeable share of their rank, while full rank would turn LoX into plain
 *     weight extrapolation of the whole alignment update, which is not the low-rank method under test. Calibrating
 *     k on the toy world with the paper's recipe is the right follow-up.</li>
 *   <li>{@code alpha} 0.5. The paper sweeps α per model and gives no recommended value; the official script's default
 *     coefficient is 1. Half of that is a deliberately cautious choice for models this small, where overshooting
 *     costs benign accuracy (the stability pillar); it should be swept like any other hyper-parameter.</li>
 *   <li>{@code include_embeddings} false: only the transformer blocks' projections (q, k, v, o, gate, up, down) are
 *     edited and the token tables stay as aligned. This differs from the official script, which edits every tensor
 *     with more than one dimension, embeddings and lm_head included (its R metrics average over all linear layers,
 *     lm_head included); set {@code include_embeddings: true} for that behaviour (a tied lm_head is the embedding
 *     matrix and is edited once).</li>
 * </ul>
 *
 * <p>The SVD is computed in double precision in Java ({@link JacobiSvd}): DJL 0.36 has no binding for libtorch's
 * {@code linalg.svd}. About 50 ms for a 344×128 matrix, so about a second for a toy-world model; for
 * billion-parameter checkpoints the cubic cost per matrix would call for a GPU SVD.
 */
public final class Lox implements Defence {
    public static final String NAME = "lox";

    /**
     * The {@code config} of a {@code lox} defence; every field optional.
     *
     * @param rank k, the number of top singular directions of ΔW to extrapolate; 0 = all of ΔW (default 6)
     * @param alpha extrapolation coefficient α ≥ 0 (default 0.5)
     * @param includeEmbeddings also edit embed_tokens and lm_head (default false)
     */
    public record LoxConfig(Integer rank, Double alpha, Boolean includeEmbeddings) {
        public static final int DEFAULT_RANK = 6;
        public static final double DEFAULT_ALPHA = 0.5;

        public LoxConfig {
            rank = DefenceTraining.nonNegative("rank", rank, DEFAULT_RANK);
            alpha = DefenceTraining.finite("alpha", alpha, DEFAULT_ALPHA, false);
            includeEmbeddings = includeEmbeddings != null && includeEmbeddings;
        }

        public static LoxConfig defaults() {
            return new LoxConfig(null, null, null);
        }
    }

    private final LoxConfig config;

    public Lox(LoxConfig config) {
        this.config = config == null ? LoxConfig.defaults() : config;
    }

    public LoxConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DefenceResult apply(LlamaWeights weights, DefenceData data) {
        weights.requireFloat32(NAME + " (it edits the weights)");
        LlamaWeights base = data.requireReference(NAME);
        if (!weights.adapters().isEmpty()) {
            throw new IllegalStateException(NAME + ": the parent has LoRA adapters attached; merge them first");
        }
        List<String> names = editedMatrices(weights, config.includeEmbeddings());
        // Check every pair before editing anything, so a mismatch leaves the parent untouched.
        List<NDArray> references = new ArrayList<>();
        for (String name : names) {
            references.add(counterpart(weights.get(name), base, name, "reference"));
        }
        int rank = config.rank();
        double alpha = config.alpha();
        double rAlignSum = 0;
        double deltaNormSum = 0;
        for (int t = 0; t < names.size(); t++) {
            NDArray w = weights.get(names.get(t));
            int rows = (int) w.getShape().get(0);
            int cols = (int) w.getShape().get(1);
            float[] aligned = w.toFloatArray();
            float[] before = references.get(t).toFloatArray();
            double[] delta = new double[aligned.length];
            double deltaSq = 0;
            for (int i = 0; i < delta.length; i++) {
                delta[i] = (double) aligned[i] - before[i];
                deltaSq += delta[i] * delta[i];
            }
            deltaNormSum += Math.sqrt(deltaSq);
            int full = Math.min(rows, cols);
            double[] projected;
            if (rank == 0 || rank >= full) {
                projected = delta; // Proj of the full rank is ΔW itself; no SVD needed
                rAlignSum += 1.0;
            } else {
                JacobiSvd.Result svd = JacobiSvd.decompose(toMatrix(delta, rows, cols));
                projected = lowRank(svd, rank, rows, cols);
                rAlignSum += energyShare(svd.s(), rank);
            }
            if (alpha != 0) { // α = 0 leaves the weights bit-identical (no −0.0 + 0.0 rewrite)
                float[] out = new float[aligned.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (aligned[i] + alpha * projected[i]);
                }
                w.set(out);
            }
        }
        int edited = names.size();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("lox_rank", (double) rank);
        metrics.put("lox_alpha", alpha);
        metrics.put("r_align_k" + rank, edited == 0 ? 1.0 : rAlignSum / edited);
        metrics.put("matrices_edited", (double) edited);
        metrics.put("delta_norm_mean", edited == 0 ? 0.0 : deltaNormSum / edited);
        return DefenceResult.completed(0, metrics);
    }

    /**
     * ‖P_k delta‖_F / ‖delta‖_F where P_k = U_k U_kᵀ projects on the top-k left singular vectors of
     * {@code deltaAlign} (k = 0: all of them, i.e. its column space). With {@code delta = deltaAlign} this is the
     * paper's R_align; with {@code delta = ΔW_align + ΔW_ft} (= W_ft − W_base) it is R_ft. Singular directions
     * whose singular value is zero to working precision are not part of the subspace (their vectors are arbitrary),
     * so k beyond the rank of {@code deltaAlign} counts as its rank. A zero {@code delta} has nothing outside the
     * subspace: the ratio is then 1.
     */
    public static double subspaceRatio(double[][] deltaAlign, double[][] delta, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        int rows = deltaAlign.length;
        int cols = rows == 0 ? 0 : deltaAlign[0].length;
        if (delta.length != rows || (rows > 0 && delta[0].length != cols)) {
            throw new IllegalArgumentException("delta is " + delta.length + "x" + (delta.length == 0 ? 0
                    : delta[0].length) + " but deltaAlign is " + rows + "x" + cols);
        }
        double total = 0;
        for (double[] row : delta) {
            if (row.length != cols) {
                throw new IllegalArgumentException("ragged delta: rows of length " + cols + " and " + row.length);
            }
            for (double x : row) {
                total += x * x;
            }
        }
        if (total == 0) {
            return 1.0;
        }
        JacobiSvd.Result svd = JacobiSvd.decompose(deltaAlign);
        int kk = k == 0 ? svd.rank() : Math.min(k, svd.rank());
        double inside = 0;
        double[] coeff = new double[cols];
        for (int r = 0; r < kk; r++) {
            double[] u = svd.u()[r];
            Arrays.fill(coeff, 0);
            for (int i = 0; i < rows; i++) { // coeff = u_rᵀ delta
                double ui = u[i];
                double[] row = delta[i];
                for (int j = 0; j < cols; j++) {
                    coeff[j] += ui * row[j];
                }
            }
            inside += JacobiSvd.dot(coeff, coeff);
        }
        return Math.min(1.0, Math.sqrt(inside / total));
    }

    /** Mean R_ft: {@link #subspaceRatio} of (aligned − base, finetuned − base) over LoX's default matrices. */
    public static double meanSubspaceRatio(LlamaWeights base, LlamaWeights aligned, LlamaWeights finetuned, int k) {
        return meanSubspaceRatio(base, aligned, finetuned, k, false);
    }

    /** Mean R_ft over the matrices a LoX with {@code include_embeddings = includeEmbeddings} edits. */
    public static double meanSubspaceRatio(LlamaWeights base, LlamaWeights aligned, LlamaWeights finetuned, int k,
            boolean includeEmbeddings) {
        List<String> names = editedMatrices(aligned, includeEmbeddings);
        List<NDArray[]> triples = new ArrayList<>();
        for (String name : names) {
            NDArray a = aligned.get(name);
            triples.add(new NDArray[] {counterpart(a, base, name, "base"), a,
                    counterpart(a, finetuned, name, "fine-tuned")});
        }
        double sum = 0;
        for (NDArray[] t : triples) {
            int rows = (int) t[1].getShape().get(0);
            int cols = (int) t[1].getShape().get(1);
            float[] b = t[0].toFloatArray();
            float[] a = t[1].toFloatArray();
            float[] f = t[2].toFloatArray();
            double[] deltaAlign = new double[a.length];
            double[] delta = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                deltaAlign[i] = (double) a[i] - b[i];
                delta[i] = (double) f[i] - b[i];
            }
            sum += subspaceRatio(toMatrix(deltaAlign, rows, cols), toMatrix(delta, rows, cols), k);
        }
        return triples.isEmpty() ? 1.0 : sum / triples.size();
    }

    /** The 2-D weights LoX edits, in layout order: every projection, plus embed_tokens / lm_head when asked. */
    static List<String> editedMatrices(LlamaWeights w, boolean includeEmbeddings) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : w.arrays().entrySet()) {
            if (e.getValue().getShape().dimension() != 2) {
                continue;
            }
            String name = e.getKey();
            boolean embedding = name.equals(LlamaNames.EMBED_TOKENS) || name.equals(LlamaNames.LM_HEAD);
            if (embedding && !includeEmbeddings) {
                continue;
            }
            out.add(name);
        }
        return out;
    }

    /** The tensor of {@code other} under {@code name}, which must have the shape of {@code mine}. */
    private static NDArray counterpart(NDArray mine, LlamaWeights other, String name, String role) {
        NDArray theirs = other.arrays().get(name);
        if (theirs == null && name.equals(LlamaNames.LM_HEAD) && other.config().tieWordEmbeddings()) {
            theirs = other.get(name);
        }
        if (theirs == null) {
            throw new IllegalArgumentException(NAME + ": the " + role + " model has no tensor " + name
                    + "; it must have the parent's architecture");
        }
        if (!mine.getShape().equals(theirs.getShape())) {
            throw new IllegalArgumentException(NAME + ": tensor " + name + " has shape "
                    + Arrays.toString(mine.getShape().getShape()) + " in the parent but "
                    + Arrays.toString(theirs.getShape().getShape()) + " in the " + role + " model");
        }
        return theirs;
    }

    /** Σ_{i<k} σ_i u_i v_iᵀ, row-major. */
    private static double[] lowRank(JacobiSvd.Result svd, int k, int rows, int cols) {
        double[] out = new double[rows * cols];
        int kk = Math.min(k, svd.rank());
        for (int r = 0; r < kk; r++) {
            double s = svd.s()[r];
            double[] u = svd.u()[r];
            double[] v = svd.v()[r];
            for (int i = 0; i < rows; i++) {
                double su = s * u[i];
                int base = i * cols;
                for (int j = 0; j < cols; j++) {
                    out[base + j] += su * v[j];
                }
            }
        }
        return out;
    }

    /** sqrt(Σ_{i<k} σ_i² / Σ σ_i²) = ‖P_k ΔW‖_F / ‖ΔW‖_F; 1 for a zero ΔW. */
    private static double energyShare(double[] s, int k) {
        double top = 0;
        double all = 0;
        for (int i = 0; i < s.length; i++) {
            all += s[i] * s[i];
            if (i < k) {
                top += s[i] * s[i];
            }
        }
        return all == 0 ? 1.0 : Math.sqrt(top / all);
    }

    private static double[][] toMatrix(double[] flat, int rows, int cols) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return m;
    }
}
