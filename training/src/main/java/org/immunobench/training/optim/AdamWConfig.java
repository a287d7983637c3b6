package org.immunobench.training.optim;

/** AdamW hyper-parameters; PyTorch defaults except weight decay, which callers set. */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {
    public AdamWConfig {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("adamw.beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adamw.beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("adamw.eps must be > 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("adamw.weight_decay must be >= 0, got " + weightDecay);
        }
    }

    public static AdamWConfig defaults(double weightDecay) {
        return new AdamWConfig(0.9, 0.999, 1e-8, weightDecay);
    }
}
