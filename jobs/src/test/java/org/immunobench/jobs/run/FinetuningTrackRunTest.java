package org.immunobench.jobs.run;

import org.immunobench.curation.testing.TestSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop end to end with both fine-tuning-stage defences: two tables, never mixed. */
@Tag("slow")
class FinetuningTrackRunTest {
    @Test
    void theFineTuningStageTableIsWrittenNextToTheOpenWeightOne(@TempDir Path tmp) throws Exception {
        String attack = """
                  - kind: harmful_sft
                    params: {steps: 2, batch: 4, samples: 16, lr: 1.0e-3}
                    eval_steps: [0, 2]
                """;
        String base = TinyWorld.experiment("");
        String yaml = base.substring(0, base.indexOf("attacks:\n")) + "attacks:\n" + attack
                + attack + "    finetuning_defence: {name: lisa, config: {k_user: 1, k_align: 1}}\n"
                + attack + "    finetuning_defence: {name: security_vectors, config: {vector_steps: 2}}\n"
                + base.substring(base.indexOf("trainability:"));
        assertTrue(yaml.contains("security_vectors"), yaml);
        ExperimentConfig c = ExperimentConfigs.parse(yaml, "tiny.yaml");
        Path out = tmp.resolve("run");
        ExperimentPlan plan = ExperimentPlan.of(c, TinyWorld.get(), out, 1);
        RunJob.Summary s = RunJob.run(TestSpark.get(), c, plan, new RunLayout(out), RunJob.STAGES, false, false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, s.failed());
        assertEquals(6, s.stages().get(1).ran()); // 2 checkpoints x (plain + trainability) + lisa + security_vectors
        String open = Files.readString(out.resolve("leaderboard.md"));
        assertTrue(open.contains("| lox |") && open.contains("| none |"), open);
        assertFalse(open.contains("| lisa |") || open.contains("security_vectors"), open);
        String fineTuning = Files.readString(out.resolve("leaderboard-finetuning.md"));
        assertTrue(fineTuning.contains("| lisa |") && fineTuning.contains("| security_vectors |")
                && fineTuning.contains("| none |"), fineTuning);
        assertFalse(fineTuning.contains("| lox |"), fineTuning);
        for (String f : new String[] {"leaderboard-finetuning.csv", "leaderboard-finetuning.html",
                "harm_vs_steps-finetuning.png", "pillars-finetuning.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }
}
