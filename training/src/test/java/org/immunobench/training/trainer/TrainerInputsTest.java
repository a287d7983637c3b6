package org.immunobench.training.trainer;

import org.immunobench.lm.model.LoraConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer's pure parts: examples, batches, data order, config validation, clipping. */
class TrainerInputsTest {
    @Test
    void promptResponseMarksOnlyTheResponse() {
        TrainingExample e = TrainingExample.promptResponse(new int[] {5, 6, 7}, new int[] {8, 9});
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, e.tokens());
        assertArrayEquals(new boolean[] {false, false, false, true, true}, e.lossMask());
        assertEquals(2, e.lossTokens());
    }

    @Test
    void examplesWithoutTargetsOrWithATargetAtZeroAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingExample(new int[] {1, 2}, new boolean[] {false, false}));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingExample(new int[] {1, 2}, new boolean[] {true, true}));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingExample(new int[] {1, 2, 3}, new boolean[] {false, true}));
        assertThrows(IllegalArgumentException.class, () -> TrainingExample.lossFrom(new int[] {1, 2}, 2));
    }

    @Test
    void exampleArraysAreCopies() {
        int[] tokens = {1, 2, 3};
        TrainingExample e = TrainingExample.allTokens(tokens);
        tokens[0] = 9;
        e.tokens()[1] = 9;
        assertArrayEquals(new int[] {1, 2, 3}, e.tokens());
    }

    @Test
    void batchesAreRightPaddedAndOnlyTargetsCarryLoss() {
        TrainingExample a = TrainingExample.promptResponse(new int[] {3, 4}, new int[] {5, 6}); // inputs 3 4 5
        TrainingExample b = TrainingExample.lossFrom(new int[] {7, 8}, 1); // inputs 7
        PaddedBatch batch = PaddedBatch.of(List.of(a, b));
        assertEquals(2, batch.rows());
        assertEquals(3, batch.length());
        assertArrayEquals(new long[] {3, 4, 5, 7, PaddedBatch.PAD, PaddedBatch.PAD}, batch.inputs());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0}, batch.attention());
        // a: position 1 predicts 5, position 2 predicts 6; b: position 0 (flat 3) predicts 8.
        assertArrayEquals(new long[] {1, 2, 3}, batch.targetPositions());
        assertArrayEquals(new long[] {5, 6, 8}, batch.targetTokens());
        assertEquals(4, batch.realTokens());
    }

    @Test
    void dataOrderIsASeededPermutationPerEpoch() {
        DataOrder first = new DataOrder(7, 42);
        DataOrder again = new DataOrder(7, 42);
        DataOrder other = new DataOrder(7, 43);
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            a.add(first.next());
            b.add(again.next());
            c.add(other.next());
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (int epoch = 0; epoch < 3; epoch++) {
            Set<Integer> seen = new HashSet<>(a.subList(7 * epoch, 7 * epoch + 7));
            assertEquals(7, seen.size(), "epoch " + epoch + " is a permutation");
        }
        assertNotEquals(a.subList(0, 7), a.subList(7, 14), "epochs are reshuffled");
        assertEquals(2, first.epoch());
    }

    @Test
    void configValidationNamesTheKey() {
        TrainerConfig ok = TrainerConfig.defaults(1e-4, 10, 2);
        assertMessage("trainer.learning_rate", () -> ok.withLearningRate(0));
        assertMessage("trainer.learning_rate", () -> ok.withLearningRate(Double.NaN));
        assertMessage("trainer.max_steps", () -> ok.withMaxSteps(0));
        assertMessage("trainer.warmup_steps", () -> ok.withSchedule(LrSchedule.Decay.COSINE, 11));
        assertMessage("trainer.schedule", () -> ok.withSchedule(null, 0));
        assertMessage("trainer.min_lr_ratio", () -> ok.withMinLrRatio(1.5));
        assertMessage("trainer.batch_size", () -> ok.withBatch(0, 1));
        assertMessage("trainer.grad_accumulation", () -> ok.withBatch(1, 0));
        assertMessage("trainer.max_grad_norm", () -> ok.withMaxGradNorm(-1));
        assertMessage("trainer.weight_decay", () -> ok.withWeightDecay(-0.1));
        assertMessage("trainer.log_every", () -> ok.withLogEvery(-1));
        assertMessage("trainer.vocab_chunk", () -> ok.withVocabChunk(0));
        assertMessage("trainer.callback_steps", () -> ok.withCallbackSteps(List.of(0, 11)));
        assertMessage("divergence.max_grad_norm", () -> new DivergenceLimits(Double.POSITIVE_INFINITY, 0));
        assertMessage("divergence.max_loss", () -> new DivergenceLimits(Double.NaN, 1));
    }

    @Test
    void configNormalisesCallbackStepsAndKeepsLora() {
        LoraConfig lora = new LoraConfig(4, 8, List.of("q_proj"), 1);
        TrainerConfig c = TrainerConfig.defaults(1e-4, 10, 2).withCallbackSteps(List.of(8, 0, 8, 2)).withLora(lora)
                .withBatch(2, 3);
        assertEquals(List.of(0, 2, 8), c.callbackSteps());
        assertEquals(lora, c.lora());
        assertEquals(6, c.effectiveBatchSize());
        assertEquals(List.of(0, 8, 16, 32, 64, 100), TrainerConfig.doublingSteps(8, 100));
        assertEquals(List.of(0, 8, 16, 32), TrainerConfig.doublingSteps(8, 32));
    }

    @Test
    void divergenceChecks() {
        DivergenceLimits d = new DivergenceLimits(50, 1e3);
        assertEquals(null, d.check(3.0, 10));
        assertTrue(d.check(Double.NaN, 1).contains("NaN"));
        assertTrue(d.check(Double.POSITIVE_INFINITY, 1).contains("Infinity"));
        assertTrue(d.check(60, 1).contains("divergence.max_loss"));
        assertTrue(d.check(3, 2e3).contains("divergence.max_grad_norm"));
        assertTrue(d.check(3, Double.NaN).contains("NaN"));
        assertTrue(d.check(3.87, 0).contains("vanished"));
        assertEquals(null, d.check(0, 0), "a perfectly fitted batch has no gradient");
        assertEquals(null, DivergenceLimits.defaults().check(1e6, 10), "no loss limit by default");
    }

    @Test
    void clippingScalesOnlyAboveTheThreshold() {
        assertEquals(1.0, Trainer.clipScale(0.5, 1.0));
        assertEquals(0.25, Trainer.clipScale(4.0, 1.0), 1e-15);
        assertEquals(1.0, Trainer.clipScale(100.0, 0.0), "0 = off");
    }

    private static void assertMessage(String key, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(key), "message names " + key + ": " + ex.getMessage());
    }
}
