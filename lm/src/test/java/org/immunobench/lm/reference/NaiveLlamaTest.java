package org.immunobench.lm.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** Properties of the reference itself, so that it can be trusted as the oracle for the DJL runtime. */
class NaiveLlamaTest {

    private static final double EXACT = 1e-12;

    private static ModelConfig cfg(String type, int v, int d, int inter, int layers, int heads, int kv, int hd,
            ModelConfig.RopeScaling rs, boolean tie, boolean attnBias, boolean qkvBias, Integer window) {
        return new ModelConfig(type, v, d, inter, layers, heads, kv, hd, 1e-6, 10000.0, rs, 64, tie, attnBias,
                qkvBias, window, null, List.of(), null);
    }

    /** GQA, head_dim != D/H, both bias kinds: the most general shape the reference supports. */
    private static ModelConfig general() {
        return cfg("llama", 13, 6, 10, 2, 4, 2, 4, null, false, true, false, null);
    }

    private static NaiveLlama random(ModelConfig c, long seed) {
        return new NaiveLlama(c, NaiveLlama.randomWeights(c, seed, 0.5));
    }

    @Test
    void changingLastTokenLeavesEarlierLogitsUntouched() {
        for (ModelConfig c : List.of(general(),
                cfg("qwen2", 13, 8, 12, 2, 2, 1, 4, null, true, false, true, null),
                cfg("mistral", 13, 8, 12, 2, 4, 2, 2, null, false, false, false, 2))) {
            NaiveLlama m = random(c, 1);
            int[] a = {1, 5, 7, 2, 9};
            int[] b = {1, 5, 7, 2, 3};
            double[][] la = m.logits(a);
            double[][] lb = m.logits(b);
            for (int t = 0; t < a.length - 1; t++) {
                assertArrayEquals(la[t], lb[t], EXACT, c.modelType() + " position " + t);
            }
            assertTrue(Math.abs(la[4][0] - lb[4][0]) > 1e-9, "last position must depend on the last token");
        }
    }

    @Test
    void paddingOnEitherSideMatchesUnpaddedSequences() {
        NaiveLlama m = random(general(), 2);
        int[] s1 = {3, 1, 4, 1, 5};
        int[] s2 = {9, 2, 6};
        int pad = 0;
        int[][] tokens = {{pad, pad, 9, 2, 6, pad, pad}, {3, 1, 4, 1, 5, pad, pad}, {pad, pad, 3, 1, 4, 1, 5}};
        int[][] mask = {{0, 0, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 0, 0}, {0, 0, 1, 1, 1, 1, 1}};
        double[][][] batch = m.logits(tokens, mask);
        double[][] r1 = m.logits(s1);
        double[][] r2 = m.logits(s2);
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(r2[t], batch[0][2 + t], EXACT);
        }
        for (int t = 0; t < 5; t++) {
            assertArrayEquals(r1[t], batch[1][t], EXACT);
            assertArrayEquals(r1[t], batch[2][2 + t], EXACT);
        }
        double[][][][] hs = m.hiddenStates(tokens, mask);
        assertEquals(3, hs.length);
        assertArrayEquals(m.hiddenStates(new int[][] {s1}, null)[2][0][4], hs[2][2][6], EXACT);
    }

    @Test
    void oneLayerByHand() {
        // D=2, one head of width 2, q=k=0 so attention is a uniform average of the visible (normed) values;
        // v, o and lm_head are identities and the MLP is zero, so every number can be worked out on paper.
        ModelConfig c = cfg("llama", 2, 2, 1, 1, 1, 1, 2, null, false, false, false, null);
        Map<String, HostTensor> w = new HashMap<>();
        put(w, "model.embed_tokens.weight", new long[] {2, 2}, 1, 1, 3, -3);
        put(w, "model.layers.0.input_layernorm.weight", new long[] {2}, 1, 1);
        put(w, "model.layers.0.post_attention_layernorm.weight", new long[] {2}, 1, 1);
        put(w, "model.layers.0.self_attn.q_proj.weight", new long[] {2, 2}, 0, 0, 0, 0);
        put(w, "model.layers.0.self_attn.k_proj.weight", new long[] {2, 2}, 0, 0, 0, 0);
        put(w, "model.layers.0.self_attn.v_proj.weight", new long[] {2, 2}, 1, 0, 0, 1);
        put(w, "model.layers.0.self_attn.o_proj.weight", new long[] {2, 2}, 1, 0, 0, 1);
        put(w, "model.layers.0.mlp.gate_proj.weight", new long[] {1, 2}, 0, 0);
        put(w, "model.layers.0.mlp.up_proj.weight", new long[] {1, 2}, 0, 0);
        put(w, "model.layers.0.mlp.down_proj.weight", new long[] {2, 1}, 0, 0);
        put(w, "model.norm.weight", new long[] {2}, 2, 1);
        put(w, "lm_head.weight", new long[] {2, 2}, 1, 0, 0, 1);
        NaiveLlama m = new NaiveLlama(c, w);
        int[] tokens = {0, 1};
        double[][][][] hs = m.hiddenStates(new int[][] {tokens}, null);
        // token 0: [1,1] + norm([1,1]) = [2,2]; token 1: [3,-3] + mean(norm([1,1]), norm([3,-3])) = [4,-3]
        assertArrayEquals(new double[] {2, 2}, hs[1][0][0], 1e-5);
        assertArrayEquals(new double[] {4, -3}, hs[1][0][1], 1e-5);
        double[][] lg = m.logits(tokens);
        assertArrayEquals(new double[] {2, 1}, lg[0], 1e-5);
        double r = Math.sqrt(12.5);
        assertArrayEquals(new double[] {2 * 4 / r, -3 / r}, lg[1], 1e-5);

        double[] nll = m.nll(tokens, 0);
        assertEquals(1, nll.length);
        assertEquals(-Math.log(Math.exp(1) / (Math.exp(2) + Math.exp(1))), nll[0], 1e-5);
    }

    @Test
    void ropeRotatesHalvesAndDependsOnlyOnRelativePosition() {
        // hd=2, theta irrelevant for k=0: inv_freq = 1, so [1,0] at position p becomes [cos p, sin p].
        double[] x = {1, 0};
        NaiveLlama.applyRope(x, 0, 2, 3, new double[] {1});
        assertArrayEquals(new double[] {Math.cos(3), Math.sin(3)}, x, EXACT);

        ModelConfig c = cfg("llama", 5, 16, 4, 1, 2, 2, 8, null, false, false, false, null);
        double[] inv = NaiveLlama.inverseFrequencies(c);
        assertArrayEquals(new double[] {1, Math.pow(10000, -0.25), Math.pow(10000, -0.5), Math.pow(10000, -0.75)},
                inv, EXACT);
        double[] q = {0.3, -1.2, 0.7, 2.0, -0.4, 0.9, 1.1, -0.6};
        double[] k = {1.5, 0.2, -0.8, 0.4, 0.6, -1.0, 0.3, 0.8};
        double ref = ropedDot(q, k, 7, 4, inv);
        for (int shift = 1; shift < 30; shift += 7) {
            assertEquals(ref, ropedDot(q, k, 7 + shift, 4 + shift, inv), 1e-9);
        }
        assertTrue(Math.abs(ref - ropedDot(q, k, 7, 5, inv)) > 1e-6);
    }

    private static double ropedDot(double[] q, double[] k, int pq, int pk, double[] inv) {
        double[] a = q.clone();
        double[] b = k.clone();
        NaiveLlama.applyRope(a, 0, a.length, pq, inv);
        NaiveLlama.applyRope(b, 0, b.length, pk, inv);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void ropeScaling() {
        ModelConfig plain = cfg("llama", 5, 256, 4, 1, 2, 2, 128, null, false, false, false, null);
        double[] base = NaiveLlama.inverseFrequencies(plain);
        double[] lin = NaiveLlama.inverseFrequencies(
                cfg("llama", 5, 256, 4, 1, 2, 2, 128, ModelConfig.RopeScaling.linear(4), false, false, false, null));
        for (int k = 0; k < base.length; k++) {
            assertEquals(base[k] / 4, lin[k], EXACT);
        }
        double[] l3 = NaiveLlama.inverseFrequencies(cfg("llama", 5, 256, 4, 1, 2, 2, 128,
                ModelConfig.RopeScaling.llama3(8, 1, 4, 64), false, false, false, null));
        int kept = 0;
        int divided = 0;
        int blended = 0;
        for (int k = 0; k < base.length; k++) {
            double wavelen = 2 * Math.PI / base[k];
            if (wavelen < 16) {
                assertEquals(base[k], l3[k], EXACT);
                kept++;
            } else if (wavelen > 64) {
                assertEquals(base[k] / 8, l3[k], EXACT);
                divided++;
            } else {
                assertTrue(l3[k] < base[k] && l3[k] > base[k] / 8);
                blended++;
            }
            if (k > 0) {
                assertTrue(l3[k] < l3[k - 1], "scaled frequencies stay monotone");
            }
        }
        assertTrue(kept > 0 && divided > 0 && blended > 0, kept + " " + divided + " " + blended);
    }

    @Test
    void singleKvHeadEqualsReplicatedHeads() {
        ModelConfig gqa = cfg("qwen2", 11, 8, 12, 2, 4, 1, 2, null, false, false, true, null);
        ModelConfig mha = cfg("qwen2", 11, 8, 12, 2, 4, 4, 2, null, false, false, true, null);
        Map<String, HostTensor> w = NaiveLlama.randomWeights(gqa, 3, 0.5);
        Map<String, HostTensor> wide = new HashMap<>(w);
        for (int i = 0; i < 2; i++) {
            for (String p : List.of("k_proj", "v_proj")) {
                for (String kind : List.of("weight", "bias")) {
                    String name = "model.layers." + i + ".self_attn." + p + "." + kind;
                    HostTensor t = w.get(name);
                    float[] data = new float[t.data().length * 4];
                    for (int r = 0; r < 4; r++) {
                        System.arraycopy(t.data(), 0, data, r * t.data().length, t.data().length);
                    }
                    long[] shape = t.shape().clone();
                    shape[0] *= 4;
                    wide.put(name, new HostTensor(name, shape, data));
                }
            }
        }
        int[] tokens = {4, 8, 1, 10, 0, 3};
        double[][] a = new NaiveLlama(gqa, w).logits(tokens);
        double[][] b = new NaiveLlama(mha, wide).logits(tokens);
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(a[t], b[t], EXACT);
        }
    }

    @Test
    void slidingWindowSeesOnlyTheLastWTokens() {
        // One layer, window 2: position t sees tokens t-1 and t only, and RoPE is shift-invariant, so its logits
        // equal those of the two-token sequence starting at t-1.
        ModelConfig c = cfg("mistral", 13, 8, 12, 1, 2, 1, 4, null, false, false, false, 2);
        Map<String, HostTensor> w = NaiveLlama.randomWeights(c, 4, 0.5);
        NaiveLlama m = new NaiveLlama(c, w);
        int[] tokens = {5, 2, 11, 7, 0, 9};
        double[][] full = m.logits(tokens);
        for (int t = 1; t < tokens.length; t++) {
            double[][] pair = m.logits(new int[] {tokens[t - 1], tokens[t]});
            assertArrayEquals(pair[1], full[t], 1e-9, "position " + t);
        }
        // A window no shorter than the sequence is plain causal attention.
        ModelConfig wide = cfg("mistral", 13, 8, 12, 1, 2, 1, 4, null, false, false, false, tokens.length);
        ModelConfig none = cfg("mistral", 13, 8, 12, 1, 2, 1, 4, null, false, false, false, null);
        double[][] a = new NaiveLlama(wide, w).logits(tokens);
        double[][] b = new NaiveLlama(none, w).logits(tokens);
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(b[t], a[t], EXACT);
        }
    }

    @Test
    void nllAndGreedyAgreeWithLogits() {
        ModelConfig c = cfg("qwen2", 13, 8, 12, 2, 2, 1, 4, null, true, false, true, null);
        NaiveLlama m = random(c, 5);
        int[] tokens = {1, 2, 3, 4, 5};
        double[][] lg = m.logits(tokens);
        double[] nll = m.nll(tokens, 3);
        assertEquals(2, nll.length);
        for (int k = 0; k < 2; k++) {
            int t = 3 + k;
            double z = 0;
            for (double e : lg[t - 1]) {
                z += Math.exp(e);
            }
            assertEquals(-Math.log(Math.exp(lg[t - 1][tokens[t]]) / z), nll[k], 1e-12);
        }
        assertEquals(4, m.nll(tokens, 0).length);

        int[] prompt = {1, 2};
        int[] gen = m.greedy(prompt, 4, Set.of());
        assertEquals(4, gen.length);
        assertEquals(NaiveLlama.argmax(m.logits(prompt)[1]), gen[0]);
        assertEquals(NaiveLlama.argmax(m.logits(new int[] {1, 2, gen[0], gen[1]})[3]), gen[2]);
        int[] stopped = m.greedy(prompt, 4, Set.of(gen[1]));
        assertArrayEquals(new int[] {gen[0], gen[1]}, stopped);
    }

    @Test
    void rejectsMissingAndUnexpectedTensors() {
        ModelConfig qwen = cfg("qwen2", 13, 8, 12, 1, 2, 1, 4, null, false, false, true, null);
        Map<String, HostTensor> w = new HashMap<>(NaiveLlama.randomWeights(qwen, 6, 0.5));
        ModelConfig noBias = cfg("llama", 13, 8, 12, 1, 2, 1, 4, null, false, false, false, null);
        assertThrows(IllegalArgumentException.class, () -> new NaiveLlama(noBias, w));
        w.remove("model.layers.0.self_attn.k_proj.bias");
        assertThrows(IllegalArgumentException.class, () -> new NaiveLlama(qwen, w));
    }

    private static void put(Map<String, HostTensor> w, String name, long[] shape, double... values) {
        float[] data = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (float) values[i];
        }
        w.put(name, new HostTensor(name, shape, data));
    }
}
