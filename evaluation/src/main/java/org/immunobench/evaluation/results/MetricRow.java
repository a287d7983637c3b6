package org.immunobench.evaluation.results;

import java.io.Serializable;

/**
 * One measurement, in the tidy (long) metrics table every stage writes to {@code RUN/metrics} (docs/data-contracts.md):
 * one row per (task, step, metric). Rows carry their provenance so tables from many runs can be concatenated.
 *
 * @param runId the experiment run (hash of the resolved config)
 * @param taskId the attack / trainability task that measured it
 * @param checkpointId the attacked checkpoint (hash of parent + defence + config + seed)
 * @param parentId the checkpoint the defence started from; the undefended baseline is the checkpoint with defence
 *     {@code none} and the same parent
 * @param defence defence name ({@code none} for the undefended parent)
 * @param track {@code open_weight} (the attacker controls training) or {@code finetuning_stage}
 * @param attack attack kind, e.g. {@code harmful_sft}; the attack family of the pillars
 * @param attackConfigJson the attack's canonical hyper-parameters (without the seed)
 * @param dataSplit the split the attack trained on ({@code attack}, {@code heldout_domain}, {@code benign_train})
 * @param seed the attack seed
 * @param step optimiser updates applied before this measurement (0 = the checkpoint as released)
 * @param pillar the pillar this row feeds: {@code resistance}, {@code generalisation} or {@code trainability}
 *     (stability is computed from the step-0 rows of every pillar)
 * @param metric {@code harmful_rate}, {@code refusal_rate}, {@code fluent_rate}, {@code harmful_nll},
 *     {@code benign_accuracy}, {@code over_refusal}, …
 * @param value the measurement (a rate in [0, 1], a mean NLL in nats …)
 * @param n number of prompts / tokens behind the value
 * @param judge who judged the completions ({@code toyworld_oracle}, {@code keyword} …; {@code none} for NLLs)
 * @param higherIsBetter whether a defender wants this value high
 * @param createdAt ISO-8601 instant of the measurement
 * @param codeVersion version and commit of the code that measured it
 */
public record MetricRow(String runId, String taskId, String checkpointId, String parentId, String defence,
        String track, String attack, String attackConfigJson, String dataSplit, long seed, int step, String pillar,
        String metric, double value, long n, String judge, boolean higherIsBetter, String createdAt,
        String codeVersion) implements Serializable {
}
