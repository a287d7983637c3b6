package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;

import java.util.function.Predicate;

/**
 * Adds {@code scale · v} to the residual stream at chosen hook points, every position (activation addition, e.g.
 * ActAdd, Turner et al. 2308.10248, and the refusal-direction addition of Arditi et al. 2406.11717).
 */
public final class AddVector implements ResidualIntervention {
    private final float[] vector;
    private final float scale;
    private final Predicate<HookPoint> where;

    public AddVector(float[] vector, double scale, Predicate<HookPoint> where) {
        this.vector = vector.clone();
        this.scale = (float) scale;
        this.where = where;
    }

    /** Adds at the output of one layer. */
    public static AddVector afterLayer(int layer, float[] vector, double scale) {
        return new AddVector(vector, scale, p -> p.kind() == HookPoint.Kind.POST && p.layer() == layer);
    }

    @Override
    public NDArray apply(HookPoint point, NDArray hidden) {
        if (!where.test(point)) {
            return hidden;
        }
        long d = hidden.getShape().get(hidden.getShape().dimension() - 1);
        if (d != vector.length) {
            throw new IllegalArgumentException("AddVector: vector has " + vector.length + " entries, stream width is "
                    + d);
        }
        float[] scaled = new float[vector.length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = vector[i] * scale;
        }
        NDArray v = hidden.getManager().create(scaled);
        return hidden.add(v);
    }
}
