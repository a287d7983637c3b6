package org.immunobench.jobs.run;

import org.immunobench.curation.testing.TestSpark;
import org.immunobench.lm.runtime.ComputeDtype;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark loop with {@code --dtype bf16}: a LoRA attack trains float32 adapters over the frozen 16-bit base and
 * is measured at every step; attacks and defences that must change the base weights (full fine-tuning, LoX) fail
 * as tasks with an error that says why and what to use instead, and the other tasks complete.
 */
@Tag("slow")
class ReducedPrecisionRunTest {
    @Test
    void loraAttacksRunOverABf16BaseAndWeightEditorsFailClearly(@TempDir Path tmp) throws Exception {
        String base = TinyWorld.experiment("");
        String yaml = base.substring(0, base.indexOf("attacks:\n")) + """
                attacks:
                  - kind: harmful_lora
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3, lora_rank: 2}
                    seeds: [0]
                    eval_steps: [0, 2]
                  - kind: harmful_sft
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                    seeds: [0]
                    eval_steps: [0, 2]
                """ + base.substring(base.indexOf("evaluation:"));
        ExperimentConfig c = ExperimentConfigs.parse(yaml, "bf16.yaml");
        Path out = tmp.resolve("run");
        ExperimentPlan plan = ExperimentPlan.of(c, TinyWorld.get(), out, 1, ComputeDtype.BF16);
        assertNotEquals(ExperimentPlan.of(c, TinyWorld.get(), out, 1).runId(), plan.runId(),
                "a reduced dtype changes results, so it must change the run id");
        assertTrue(plan.attacks().stream().allMatch(t -> t.dtype() == ComputeDtype.BF16));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunJob.Summary s = RunJob.run(TestSpark.get(), c, plan, new RunLayout(out), List.of("immunise", "attack"),
                false, false, new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);
        // immunise: none (nothing to change) is made, LoX (edits weights) fails
        assertEquals(1, s.stages().get(0).failed(), text);
        TaskOutcome lox = s.failures().stream().filter(f -> f.stage().equals("immunise")).findFirst().orElseThrow();
        assertTrue(lox.summary().contains("lox") && lox.summary().contains("--dtype f32"), lox.summary());
        // attack on the undefended checkpoint: LoRA done, full fine-tuning refused
        assertEquals(2, s.stages().get(1).ran(), text);
        assertEquals(1, s.stages().get(1).failed(), text);
        TaskOutcome full = s.failures().stream().filter(f -> f.stage().equals("attack")).findFirst().orElseThrow();
        assertTrue(full.summary().contains("full fine-tuning") && full.summary().contains("bf16"), full.summary());
        List<String> metrics = RunJobTest.metricLines(out);
        long harm = metrics.stream().filter(l -> l.contains("attack=harmful_lora") && l.contains("metric=harmful_rate"))
                .count();
        assertEquals(2, harm, "harmful rate at steps 0 and 2 of the LoRA attack: " + metrics);
    }
}
