package org.immunobench.training.trainer;

/**
 * When a run counts as diverged. A non-finite loss or gradient norm always does, and so does a gradient norm of
 * exactly 0 at a positive loss: blown-up weights overflow the residual stream, RMSNorm then divides by an infinite
 * RMS and outputs zeros, so the loss sits at ln V with a finite value and no gradient at all (what lr 1e6 does to a
 * small Llama). Beyond that, a mean loss above {@code maxLoss} or a pre-clipping global gradient norm above
 * {@code maxGradNorm} (either may be +∞ = off).
 *
 * <p>The default loss limit is off because attacks start from immunised models whose harmful loss can be far above
 * ln V by design (collapse and noising defences); judging divergence by loss would end exactly those runs.
 */
public record DivergenceLimits(double maxLoss, double maxGradNorm) {
    public static final double DEFAULT_MAX_GRAD_NORM = 1e6;

    public DivergenceLimits {
        if (!(maxLoss > 0)) {
            throw new IllegalArgumentException("divergence.max_loss must be > 0 (or +inf), got " + maxLoss);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("divergence.max_grad_norm must be > 0 (or +inf), got " + maxGradNorm);
        }
    }

    public static DivergenceLimits defaults() {
        return new DivergenceLimits(Double.POSITIVE_INFINITY, DEFAULT_MAX_GRAD_NORM);
    }

    /** Why the step diverged, or null when it did not. */
    String check(double loss, double gradNorm) {
        if (!Double.isFinite(loss)) {
            return "loss is " + loss;
        }
        if (loss > maxLoss) {
            return "loss " + loss + " exceeds divergence.max_loss " + maxLoss;
        }
        if (!Double.isFinite(gradNorm)) {
            return "gradient norm is " + gradNorm;
        }
        if (gradNorm == 0 && loss > 0) {
            return "gradient vanished (norm 0 at loss " + loss + "): activations overflowed or saturated";
        }
        if (gradNorm > maxGradNorm) {
            return "gradient norm " + gradNorm + " exceeds divergence.max_grad_norm " + maxGradNorm;
        }
        return null;
    }
}
