package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * Adds caller-owned arrays ε to the stream at chosen hook points. When ε is a leaf with
 * {@code setRequiresGradient(true)} (e.g. zeros), its gradient after backward is dL/dh at that point — the
 * zero-leaf trick (docs/engine-notes.md, gradients of activations) that Vaccine (2402.01109), RepNoise and circuit
 * breakers need. ε must have the stream's shape (B, T, D) or broadcast to it.
 */
public final class LeafPerturbation implements ResidualIntervention {
    private final Map<HookPoint, NDArray> perturbations = new HashMap<>();

    public LeafPerturbation put(HookPoint point, NDArray epsilon) {
        perturbations.put(point, epsilon);
        return this;
    }

    public NDArray get(HookPoint point) {
        return perturbations.get(point);
    }

    @Override
    public NDArray apply(HookPoint point, NDArray hidden) {
        NDArray eps = perturbations.get(point);
        return eps == null ? hidden : hidden.add(eps);
    }
}
