package org.immunobench.jobs.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.immunobench.lm.config.ConfigBinder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes each committed search trial's per-item results in the file layout TamperBench (criticalml-uw/TamperBench,
 * successor of SafeTuneBed) uses for its Optuna trials, so its analysis scripts and ours can read each other's runs
 * (README, "TamperBench layout"):
 * <pre>
 *   RUN/tamperbench/&lt;defence&gt;-&lt;checkpoint id, 8 chars&gt;/&lt;attack kind&gt;[_&lt;split&gt;]/optuna_single/trial_&lt;i&gt;/
 *       trial_config.yaml                                  the trial's attack hyper-parameters and seed
 *       immunobench.json                                   what the files below are, in our terms
 *       tamperbench_evaluation/strong_reject/inferences.parquet        prompt, response
 *       tamperbench_evaluation/strong_reject/evaluator_scores.parquet  prompt, response, score
 *       tamperbench_evaluation/strong_reject/evaluation.json           [{metric_name, metric_value}]
 *       tamperbench_evaluation/mmlu_pro_val/…                          the same for benign prompts
 * </pre>
 * One row per prompt of the trial's last measured step (the model the trial ended with). Harmful prompts go under
 * TamperBench's harm evaluation, scored 1.0 when our judge found the completion harmful (its score is in [0, 1],
 * higher = more harmful, like StrongREJECT's); benign prompts of the pretrained tasks go under its capability
 * evaluation, scored 1.0 for an exact answer. The judge is ours, not StrongREJECT's or MMLU-Pro's: immunobench.json
 * says so, and figures must not be compared across tools as if they were the same benchmark. Rewritten whole after
 * every search stage (a deterministic function of the ledger).
 */
final class TamperBenchExport {
    static final String HARM_EVAL = "strong_reject";
    static final String HARM_METRIC = "strong_reject_score";
    static final String CAPABILITY_EVAL = "mmlu_pro_val";
    static final String CAPABILITY_METRIC = "mmlu_pro_accuracy";
    private static final MessageType INFERENCES = MessageTypeParser.parseMessageType(
            "message inference { required binary prompt (STRING); required binary response (STRING); }");
    private static final MessageType SCORES = MessageTypeParser.parseMessageType(
            "message score { required binary prompt (STRING); required binary response (STRING);"
                    + " required double score; }");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TamperBenchExport() {
    }

    /** @param committed the committed trial ids */
    static void write(ExperimentPlan plan, TaskStore store, Collection<String> committed, Path root) {
        Set<String> done = Set.copyOf(committed);
        for (SearchPlan s : plan.searches()) {
            for (AttackTask t : s.tasks()) {
                if (!done.contains(t.taskId())) {
                    continue;
                }
                Path taskDir = store.dir().resolve(t.taskId());
                TrialRow row = SearchStage.readRow(taskDir.resolve(TrialHook.FILE));
                Set<String> pretrained = Set.copyOf(WorldContext.load(Path.of(t.worldDir())).tasks().pretrained());
                writeTrial(trialDir(root, t, row.trialIndex()), t, row, generations(taskDir), pretrained);
            }
        }
    }

    static Path trialDir(Path root, AttackTask t, int index) {
        String model = t.rowDefence() + "-" + t.checkpointId().substring(0, Math.min(8, t.checkpointId().length()));
        String attack = t.split().equals("attack") ? t.attack().kind() : t.attack().kind() + "_" + t.split();
        return root.resolve(model).resolve(attack).resolve("optuna_single").resolve("trial_" + index);
    }

    private static List<GenerationRow> generations(Path taskDir) {
        List<GenerationRow> out = new ArrayList<>();
        Path file = taskDir.resolve("generations.jsonl");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(ConfigBinder.mapper().readValue(line, GenerationRow.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    private static void writeTrial(Path dir, AttackTask t, TrialRow row, List<GenerationRow> generations,
            Set<String> pretrained) {
        List<GenerationRow> harmful = new ArrayList<>();
        List<GenerationRow> benign = new ArrayList<>();
        for (GenerationRow g : generations) {
            if (g.step() != row.lastStep()) {
                continue;
            }
            if (g.promptSet().equals("harmful")) {
                harmful.add(g);
            } else if (g.promptSet().equals("benign") && pretrained.contains(g.domain())) {
                benign.add(g);
            }
        }
        Path eval = dir.resolve("tamperbench_evaluation");
        double harm = writeEval(eval.resolve(HARM_EVAL), harmful, true, HARM_METRIC);
        double accuracy = writeEval(eval.resolve(CAPABILITY_EVAL), benign, false, CAPABILITY_METRIC);
        try {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("attack", t.attack().kind());
            config.put("params", new java.util.TreeMap<>(t.attack().params()));
            config.put("seed", t.attack().seed());
            new ObjectMapper(new YAMLFactory()).writeValue(dir.resolve("trial_config.yaml").toFile(), config);
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("run_id", row.runId());
            about.put("search_id", row.searchId());
            about.put("trial_id", row.trialId());
            about.put("trial_index", row.trialIndex());
            about.put("checkpoint_id", row.checkpointId());
            about.put("defence", row.defence());
            about.put("status", row.status());
            about.put("step", row.lastStep());
            about.put("judge", harmful.isEmpty() ? "" : harmful.get(0).judge());
            about.put(HARM_EVAL, "our judge's harmful verdict per harmful eval prompt (1 = harmful), not"
                    + " StrongREJECT; mean = " + HARM_METRIC + " = our harmful_rate at this step");
            about.put(CAPABILITY_EVAL, "exact-answer correctness per benign prompt of the pretrained tasks, not"
                    + " MMLU-Pro; mean = " + CAPABILITY_METRIC + " (a micro mean; our benign_accuracy is the macro"
                    + " mean over tasks)");
            about.put(HARM_METRIC, harm);
            about.put(CAPABILITY_METRIC, accuracy);
            JSON.writeValue(dir.resolve("immunobench.json").toFile(), about);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }

    /** The three files of one evaluation; returns the mean score (NaN with no rows). */
    private static double writeEval(Path dir, List<GenerationRow> rows, boolean harm, String metric) {
        try {
            Files.createDirectories(dir);
            double sum = 0;
            try (ParquetWriter<Group> inf = writer(dir.resolve("inferences.parquet"), INFERENCES);
                    ParquetWriter<Group> sc = writer(dir.resolve("evaluator_scores.parquet"), SCORES)) {
                SimpleGroupFactory fi = new SimpleGroupFactory(INFERENCES);
                SimpleGroupFactory fs = new SimpleGroupFactory(SCORES);
                for (GenerationRow g : rows) {
                    double score = (harm ? g.harmful() : g.correct()) ? 1.0 : 0.0;
                    sum += score;
                    inf.write(fi.newGroup().append("prompt", g.prompt()).append("response", g.completion()));
                    sc.write(fs.newGroup().append("prompt", g.prompt()).append("response", g.completion())
                            .append("score", score));
                }
            }
            double mean = rows.isEmpty() ? Double.NaN : sum / rows.size();
            // TamperBench writes a polars frame of (metric_name, metric_value) with write_json: a list of records.
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric_name", metric);
            m.put("metric_value", Double.isNaN(mean) ? null : mean);
            JSON.writeValue(dir.resolve("evaluation.json").toFile(), List.of(m));
            return mean;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }

    private static ParquetWriter<Group> writer(Path file, MessageType schema) throws IOException {
        return ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withConf(new Configuration(false)).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
    }
}
