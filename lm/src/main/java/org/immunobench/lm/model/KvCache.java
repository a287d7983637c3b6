package org.immunobench.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of all past positions, per layer, (B, Hkv, S, hd) with RoPE already applied, plus the past
 * attention mask (B, S) and each row's count of real tokens (the next RoPE position). Owns a manager so the cache
 * outlives the per-step scopes of a generation loop; close it when the sequence is done.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray mask; // (B, S) float 0/1
    private NDArray realCounts; // (B) int64

    public KvCache(NDManager parent, int numLayers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Past length S (0 before the first forward). */
    public long length() {
        return mask == null ? 0 : mask.getShape().get(1);
    }

    NDArray mask() {
        return mask;
    }

    NDArray realCounts() {
        return realCounts;
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    /**
     * Appends this step's keys/values of one layer and returns the full (past + new) ones as views in
     * {@code scope}, so ops on them attach to the step's scope rather than to the cache.
     */
    NDArray[] append(int layer, NDArray k, NDArray v, NDManager scope) {
        if (keys[layer] == null) {
            keys[layer] = k.duplicate();
            values[layer] = v.duplicate();
            keys[layer].attach(manager);
            values[layer].attach(manager);
        } else {
            NDArray oldK = keys[layer];
            NDArray oldV = values[layer];
            keys[layer] = oldK.concat(k, 2);
            values[layer] = oldV.concat(v, 2);
            oldK.close();
            oldV.close();
        }
        ai.djl.ndarray.index.NDIndex all = new ai.djl.ndarray.index.NDIndex("...");
        return new NDArray[] {keys[layer].get(scope, all), values[layer].get(scope, all)};
    }

    /** Records the step's mask after all layers ran. */
    void commit(NDArray fullMask, NDArray counts) {
        NDArray m = fullMask.duplicate();
        NDArray c = counts.duplicate();
        m.attach(manager);
        c.attach(manager);
        if (mask != null) {
            mask.close();
            realCounts.close();
        }
        mask = m;
        realCounts = c;
    }

    @Override
    public void close() {
        manager.close();
    }
}
