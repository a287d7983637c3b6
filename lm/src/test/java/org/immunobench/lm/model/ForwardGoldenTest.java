package org.immunobench.lm.model;

import ai.djl.Device;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.generate.Generator;
import org.immunobench.lm.generate.SamplingConfig;
import org.immunobench.lm.reference.NaiveLlama;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden test: the DJL forward against {@link NaiveLlama}, an independent double-precision loop implementation, on
 * a tiny config of every family (GQA, biases, tied head, llama3/linear RoPE scaling, sliding window, odd head_dim).
 */
class ForwardGoldenTest {
    /** float32 engine vs double reference on logits of magnitude ~1–10. */
    private static final double LOGIT_TOL = 1e-4;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(2);
    }

    @Test
    void djlForwardMatchesTheNaiveReference() {
        for (ModelConfig c : TinyModels.allFamilies()) {
            Map<String, HostTensor> tensors = NaiveLlama.randomWeights(c, 41, 0.3);
            NaiveLlama reference = new NaiveLlama(c, tensors);
            Random r = new Random(42);
            int[][] tokens = new int[3][11];
            int[][] mask = new int[3][11];
            int[] lengths = {11, 7, 9};
            for (int b = 0; b < 3; b++) {
                int pad = 11 - lengths[b];
                for (int j = 0; j < 11; j++) {
                    boolean real = b == 1 ? j < lengths[b] : j >= pad; // row 1 right-padded, others left
                    tokens[b][j] = real ? 4 + r.nextInt(c.vocabSize() - 4) : 0;
                    mask[b][j] = real ? 1 : 0;
                }
            }
            double[][][] expected = reference.logits(tokens, mask);
            double[][][][] expectedHidden = reference.hiddenStates(tokens, mask);
            try (LlamaWeights w = LlamaWeights.fromHost(c, tensors, Device.cpu())) {
                float[][][] got = Forwards.logits(w, tokens, mask);
                double worst = 0;
                for (int b = 0; b < 3; b++) {
                    for (int j = 0; j < 11; j++) {
                        if (mask[b][j] == 1) {
                            for (int v = 0; v < c.vocabSize(); v++) {
                                worst = Math.max(worst, Math.abs(expected[b][j][v] - got[b][j][v]));
                            }
                        }
                    }
                }
                List<float[][][]> hidden = Forwards.hidden(w, new int[][] {tokens[0]}, ForwardOptions.hiddenOnly());
                double worstHidden = 0;
                for (int l = 0; l <= c.numLayers(); l++) {
                    for (int j = 0; j < 11; j++) {
                        for (int d = 0; d < c.hiddenSize(); d++) {
                            worstHidden = Math.max(worstHidden,
                                    Math.abs(expectedHidden[l][0][j][d] - hidden.get(l)[0][j][d]));
                        }
                    }
                }
                System.out.printf("golden %-7s (H=%d Hkv=%d hd=%d): max |logit diff| %.2e, max |hidden diff| %.2e,"
                        + " tolerance %.0e%n", c.modelType(), c.numHeads(), c.numKvHeads(), c.headDim(), worst,
                        worstHidden, LOGIT_TOL);
                assertTrue(worst < LOGIT_TOL, c + ": logit diff " + worst);
                assertTrue(worstHidden < LOGIT_TOL, c + ": hidden diff " + worstHidden);

                int[] seq = tokens[0];
                double[] nll = reference.nll(seq, 4);
                float[] scored = new Scorer(w, RuntimeOptions.cpu()).tokenNlls(List.of(new ScoringInput(seq, 4)))
                        .get(0);
                for (int k = 0; k < nll.length; k++) {
                    assertTrue(Math.abs(nll[k] - scored[k]) < LOGIT_TOL, "nll " + k);
                }
                int[] prompt = {2, 9, 17, 23};
                assertArrayEquals(reference.greedy(prompt, 10, Set.of()),
                        new Generator(w).generate(List.of(prompt), SamplingConfig.greedy(10, Set.of())).get(0),
                        c.modelType() + " greedy");
            }
        }
    }
}
