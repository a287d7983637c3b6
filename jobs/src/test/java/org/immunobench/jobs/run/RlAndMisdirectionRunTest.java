package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.immunobench.curation.testing.TestSpark;
import org.immunobench.lm.config.ConfigBinder;
import org.immunobench.lm.prompt.PromptFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** harmful_rl and misdirection through the run job: planned steps, rows, framed prompts judged as plain ones. */
class RlAndMisdirectionRunTest {
    private static final String ATTACKS = """
              - kind: harmful_rl
                params: {steps: 2, prompts_per_step: 2, rollouts: 2, max_new_tokens: 4, lr: 1.0e-3}
                eval_steps: [0, 1, 2]
              - kind: misdirection
                params: {wrapper: fiction}
                eval_steps: [0, 4]
            """;

    private static ExperimentConfig config() {
        String yaml = TinyWorld.experiment("");
        // No harmful_sft entry here, so the leaderboard ranks by the RL attack's family.
        return ExperimentConfigs.parse(yaml.substring(0, yaml.indexOf("attacks:\n")) + "attacks:\n" + ATTACKS
                + yaml.substring(yaml.indexOf("trainability:")) + "leaderboard: {attack_family: harmful_rl}\n",
                "exp.yaml");
    }

    @Test
    void harmfulRlIsMeasuredAtItsEvalStepsAndMisdirectionAtZeroAndOne(@TempDir Path tmp) {
        ExperimentPlan plan = ExperimentPlan.of(config(), TinyWorld.get(), tmp.resolve("run"), 1);
        AttackTask rl = plan.attacks().stream().filter(t -> t.attack().kind().equals("harmful_rl")).findFirst()
                .orElseThrow();
        assertEquals("0,1,2", rl.attack().params().get("eval_steps"));
        AttackTask mis = plan.attacks().stream().filter(t -> t.attack().kind().equals("misdirection")).findFirst()
                .orElseThrow();
        assertFalse(mis.attack().params().containsKey("eval_steps"), "forward-only: steps 0 and 1");
    }

    @Tag("slow")
    @Test
    void bothRunEndToEndAndTheFramedPromptsAreJudgedAsThePlainOnes(@TempDir Path tmp) throws Exception {
        ExperimentConfig c = config();
        Path out = tmp.resolve("run");
        ExperimentPlan plan = ExperimentPlan.of(c, TinyWorld.get(), out, 1);
        RunJob.Summary s = RunJob.run(TestSpark.get(), c, plan, new RunLayout(out), RunJob.STAGES, false, false,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, s.failed());
        List<JsonNode> metrics = lines(out, "metrics.jsonl");
        List<JsonNode> generations = lines(out, "generations.jsonl");
        Set<Integer> rlSteps = new TreeSet<>();
        Set<String> rlDetails = new TreeSet<>();
        for (JsonNode m : metrics) {
            if (m.get("attack").asText().equals("harmful_rl") && m.get("defence").asText().equals("none")) {
                if (m.get("metric").asText().equals("harmful_rate")) {
                    rlSteps.add(m.get("step").asInt());
                }
                if (m.get("metric").asText().startsWith("attack_")) {
                    rlDetails.add(m.get("metric").asText());
                }
            }
        }
        assertEquals(Set.of(0, 1, 2), rlSteps);
        assertTrue(rlDetails.containsAll(Set.of("attack_forward_tokens", "attack_backward_tokens",
                "attack_first_reward", "attack_final_reward")), rlDetails.toString());
        String misTask = metrics.stream().filter(m -> m.get("attack").asText().equals("misdirection")
                && m.get("defence").asText().equals("none")).findFirst().orElseThrow().get("task_id").asText();
        List<JsonNode> plain = new ArrayList<>();
        List<JsonNode> framed = new ArrayList<>();
        for (JsonNode g : generations) {
            if (g.get("task_id").asText().equals(misTask) && g.get("prompt_set").asText().equals("harmful")) {
                (g.get("step").asInt() == 0 ? plain : framed).add(g);
            }
        }
        assertEquals(plain.size(), framed.size());
        assertFalse(plain.isEmpty());
        for (int i = 0; i < plain.size(); i++) {
            JsonNode p = plain.get(i);
            JsonNode f = framed.get(i);
            assertEquals(p.get("prompt_id").asText(), f.get("prompt_id").asText());
            String request = String.join(" ", org.immunobench.jobs.world.ToyText.request(p.get("prompt").asText())
                    .orElseThrow());
            assertEquals(org.immunobench.jobs.world.ToyText.prompt(PromptFrame.FICTION.wrap(request)),
                    f.get("prompt").asText(), "the model saw the framed request, intact inside the chat frame");
        }
    }

    private static List<JsonNode> lines(Path out, String file) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(out.resolve(RunLayout.TASKS).resolve("attack"))) {
            for (Path t : tasks.toList()) {
                Path f = t.resolve(file);
                if (Files.isRegularFile(f)) {
                    for (String line : Files.readAllLines(f)) {
                        rows.add(ConfigBinder.mapper().readTree(line));
                    }
                }
            }
        }
        return rows;
    }
}
