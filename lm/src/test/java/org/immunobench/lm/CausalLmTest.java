package org.immunobench.lm;

import org.immunobench.lm.checkpoint.CheckpointException;
import org.immunobench.lm.checkpoint.CheckpointReader;
import org.immunobench.lm.checkpoint.CheckpointWriter;
import org.immunobench.lm.checkpoint.HostTensor;
import org.immunobench.lm.model.LoraConfig;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.SequenceScore;
import org.immunobench.lm.testing.Forwards;
import org.immunobench.lm.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalLmTest {
    @TempDir
    Path dir;

    @Test
    void saveThenLoadIsExactAndScoresText() {
        ModelConfig c = TinyModels.qwen2();
        Path first = TinyModels.writeCheckpoint(dir.resolve("a"), c, 5, 0.2);
        int[][] tokens = {{2, 5, 9, 14, 30, 31}};
        try (CausalLm lm = CausalLm.load(first, RuntimeOptions.cpu())) {
            float[] before = Forwards.logits(lm.weights(), tokens, null)[0][5];
            lm.save(dir.resolve("b"));
            try (CausalLm again = CausalLm.load(dir.resolve("b"), RuntimeOptions.cpu())) {
                assertArrayEquals(before, Forwards.logits(again.weights(), tokens, null)[0][5]);
                assertEquals(c, again.config());
                SequenceScore s = again.scorer().score(List.of(again.tokenizer().forPromptResponse(
                        "user : hello assistant :", "the cat sat on the mat"))).get(0);
                assertEquals(6, s.nTokens());
                assertTrue(s.perplexity() > 1 && Double.isFinite(s.perplexity()));
            }
        }
    }

    @Test
    void halfPrecisionAndShardedCheckpointsLoadIntoTheEngine() {
        ModelConfig c = TinyModels.llama();
        Map<String, HostTensor> tensors = RandomInit.weights(c, 9, 0.2);
        CheckpointWriter.write(dir.resolve("f32"), c, tensors, null, "F32");
        CheckpointWriter.write(dir.resolve("bf16"), c, tensors, null, "BF16");
        CheckpointWriter.write(dir.resolve("f16"), c, tensors, null, "F16");
        CheckpointWriter.write(dir.resolve("sharded"), c, tensors, null, "F32", 8_000);
        assertTrue(Files.exists(dir.resolve("sharded/model.safetensors.index.json")));
        int[][] tokens = {{2, 7, 8, 9, 10}};
        try (CausalLm f32 = CausalLm.load(dir.resolve("f32"), RuntimeOptions.cpu());
                CausalLm bf16 = CausalLm.load(dir.resolve("bf16"), RuntimeOptions.cpu());
                CausalLm f16 = CausalLm.load(dir.resolve("f16"), RuntimeOptions.cpu());
                CausalLm sharded = CausalLm.load(dir.resolve("sharded"), RuntimeOptions.cpu())) {
            float[] ref = Forwards.logits(f32.weights(), tokens, null)[0][4];
            assertArrayEquals(ref, Forwards.logits(sharded.weights(), tokens, null)[0][4]);
            double bfDiff = Forwards.maxAbsDiff(ref, Forwards.logits(bf16.weights(), tokens, null)[0][4]);
            double fDiff = Forwards.maxAbsDiff(ref, Forwards.logits(f16.weights(), tokens, null)[0][4]);
            System.out.printf("logit diff vs F32 after load: BF16 %.2e, F16 %.2e%n", bfDiff, fDiff);
            assertTrue(bfDiff < 5e-2 && bfDiff > 0, "bf16 " + bfDiff);
            assertTrue(fDiff < 5e-3, "f16 " + fDiff);
        }
    }

    @Test
    void loraIsMergedOnSave() {
        ModelConfig c = TinyModels.llama();
        Path src = TinyModels.writeCheckpoint(dir.resolve("src"), c, 3, 0.2);
        int[][] tokens = {{2, 5, 6, 7}};
        try (CausalLm lm = CausalLm.load(src, RuntimeOptions.cpu())) {
            lm.weights().addLora(new LoraConfig(2, 4, List.of("v_proj"), 1));
            for (var ad : lm.weights().adapters().values()) {
                ad.b().set(new float[(int) ad.b().size()]);
                ad.b().addi(0.05f);
            }
            float[] adapted = Forwards.logits(lm.weights(), tokens, null)[0][3];
            lm.save(dir.resolve("merged"));
            Map<String, HostTensor> saved = CheckpointReader.read(dir.resolve("merged")).tensors();
            assertEquals(RandomInit.weights(c, 0).keySet(), saved.keySet(), "plain HF names, no adapter tensors");
            try (CausalLm merged = CausalLm.load(dir.resolve("merged"), RuntimeOptions.cpu())) {
                assertTrue(Forwards.maxAbsDiff(adapted, Forwards.logits(merged.weights(), tokens, null)[0][3]) < 1e-4);
            }
        }
    }

    @Test
    void badDirectoriesFailWithTheirPath() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CausalLm.load(dir.resolve("nope"), RuntimeOptions.cpu()));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
