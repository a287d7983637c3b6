package org.immunobench.training.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.immunobench.lm.runtime.DjlRuntime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {
    /** Two steps on f(θ) = Σ θ², checked against the update rule computed by hand in double. */
    @Test
    void matchesTheReferenceUpdateRule() {
        DjlRuntime.start(1);
        double lr = 0.1;
        double wd = 0.01;
        double[] theta = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray p = manager.create(new float[] {1f, -2f, 0.5f});
            p.setRequiresGradient(true);
            try (AdamW opt = new AdamW(List.of(p), AdamWConfig.defaults(wd))) {
                for (int step = 1; step <= 2; step++) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                            NDManager scope = manager.newSubManager()) {
                        NDArray view = p.get(scope, new ai.djl.ndarray.index.NDIndex("..."));
                        gc.backward(view.square().sum());
                    }
                    assertEquals(2 * Math.sqrt(theta[0] * theta[0] + theta[1] * theta[1] + theta[2] * theta[2]),
                            opt.gradientNorm(), 1e-5);
                    opt.step(lr, 1.0);
                    for (int i = 0; i < 3; i++) {
                        double g = 2 * theta[i];
                        theta[i] *= 1 - lr * wd;
                        m[i] = 0.9 * m[i] + 0.1 * g;
                        v[i] = 0.999 * v[i] + 0.001 * g * g;
                        double mh = m[i] / (1 - Math.pow(0.9, step));
                        double vh = v[i] / (1 - Math.pow(0.999, step));
                        theta[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
                    }
                    float[] got = p.toFloatArray();
                    for (int i = 0; i < 3; i++) {
                        assertEquals(theta[i], got[i], 1e-5, "step " + step + " coordinate " + i);
                    }
                }
            }
        }
    }
}
