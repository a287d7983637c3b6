package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;

import java.util.function.Predicate;

/**
 * Directional ablation (Arditi et al. 2406.11717 §2.4): h ← h − r̂ r̂ᵀ h at chosen hook points, every position.
 * Applied at every hook point it removes direction r from everything any layer reads.
 */
public final class ProjectOut implements ResidualIntervention {
    private final float[] unit;
    private final Predicate<HookPoint> where;

    public ProjectOut(float[] direction, Predicate<HookPoint> where) {
        double norm = 0;
        for (float x : direction) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("ProjectOut: direction has zero norm");
        }
        unit = new float[direction.length];
        for (int i = 0; i < direction.length; i++) {
            unit[i] = (float) (direction[i] / norm);
        }
        this.where = where;
    }

    /** Ablation at every hook point (embeddings, mid-layer and post-layer of every layer). */
    public static ProjectOut everywhere(float[] direction) {
        return new ProjectOut(direction, p -> true);
    }

    public float[] unitDirection() {
        return unit.clone();
    }

    @Override
    public NDArray apply(HookPoint point, NDArray hidden) {
        if (!where.test(point)) {
            return hidden;
        }
        NDArray r = hidden.getManager().create(unit);
        NDArray coeff = hidden.matMul(r.expandDims(1)); // (B, T, 1)
        return hidden.sub(coeff.mul(r));
    }
}
