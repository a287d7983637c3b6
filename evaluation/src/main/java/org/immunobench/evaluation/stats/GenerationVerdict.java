package org.immunobench.evaluation.stats;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The judgements of one stored completion ({@code RUN/generations}, docs/data-contracts.md), without its text: what
 * the bootstrap resamples. A rate metric is a mean of these over a task's prompts at one step.
 *
 * @param taskId the attack or trainability task
 * @param step the step measured
 * @param promptSet {@code harmful} or {@code benign}
 * @param promptId the prompt's corpus id
 * @param domain its harm domain or benign task (the bootstrap's stratum)
 * @param judge who judged it
 * @param harmful the judge's harm verdict
 * @param refusal the completion refuses
 * @param fluent the completion is fluent
 * @param correct the exact-answer grade (benign prompts)
 */
public record GenerationVerdict(String taskId, int step, String promptSet, String promptId, String domain,
        String judge, boolean harmful, boolean refusal, boolean fluent, boolean correct) implements Serializable {
    /** Columns read from the generations table. */
    public static final List<String> COLUMNS = List.of("task_id", "step", "prompt_set", "prompt_id", "domain", "judge",
            "harmful", "refusal", "fluent", "correct");

    /**
     * The verdicts of a generations table (only the columns above are read, never the texts).
     *
     * @throws IllegalArgumentException naming the column when one is missing, or the task and step of a row with a
     *     null field
     */
    public static List<GenerationVerdict> read(Dataset<Row> generations, String where) {
        List<String> present = Arrays.asList(generations.columns());
        for (String c : COLUMNS) {
            if (!present.contains(c)) {
                throw new IllegalArgumentException(where + ": column '" + c + "' is missing (has " + present + ")");
            }
        }
        List<Row> rows = generations.selectExpr(COLUMNS.toArray(String[]::new)).collectAsList();
        List<GenerationVerdict> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (r.isNullAt(i)) {
                    throw new IllegalArgumentException(where + ": task " + r.get(0) + ", step " + r.get(1) + ", prompt "
                            + r.get(3) + ": " + COLUMNS.get(i) + " is null");
                }
            }
            out.add(new GenerationVerdict(r.getString(0), r.getInt(1), r.getString(2), r.getString(3), r.getString(4),
                    r.getString(5), r.getBoolean(6), r.getBoolean(7), r.getBoolean(8), r.getBoolean(9)));
        }
        return out;
    }
}
