package org.immunobench.jobs.score;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@code score} run did, as written to {@code OUT/summary.json}: counts (read = scored + quarantined),
 * quarantine counts by reason, provenance (model, input, code version, master) and timings.
 *
 * @param scoreSeconds reading, parsing, scoring and writing both outputs
 * @param countSeconds recounting input and outputs for the row-accounting check
 */
public record ScoreSummary(long rowsRead, long rowsScored, long rowsQuarantined, long tokensScored,
        Map<String, Long> quarantineReasons, String model, String input, String format, String output,
        String codeVersion, String master, String device, int threads, int partitions, int maxBatchTokens,
        double scoreSeconds, double countSeconds, double totalSeconds, String finishedAt) {

    public ScoreSummary {
        quarantineReasons = Collections.unmodifiableSortedMap(new TreeMap<>(quarantineReasons));
    }

    /** The line the CLI prints: {@code rows read=R scored=S quarantined=Q}. */
    public String countsLine() {
        return "rows read=" + rowsRead + " scored=" + rowsScored + " quarantined=" + rowsQuarantined;
    }

    /** Scored tokens per second of reading, scoring and writing. */
    public double tokensPerSecond() {
        return scoreSeconds > 0 ? tokensScored / scoreSeconds : 0;
    }

    Map<String, Object> toJson() {
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("score_and_write_seconds", scoreSeconds);
        timings.put("count_seconds", countSeconds);
        timings.put("total_seconds", totalSeconds);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows_read", rowsRead);
        m.put("rows_scored", rowsScored);
        m.put("rows_quarantined", rowsQuarantined);
        m.put("quarantine_reasons", quarantineReasons);
        m.put("tokens_scored", tokensScored);
        m.put("tokens_per_second", Math.round(tokensPerSecond()));
        m.put("model", model);
        m.put("input", input);
        m.put("format", format);
        m.put("output", output);
        m.put("code_version", codeVersion);
        m.put("master", master);
        m.put("device", device);
        m.put("intra_op_threads", threads);
        m.put("partitions", partitions);
        m.put("max_batch_tokens", maxBatchTokens);
        m.put("timings", timings);
        m.put("finished_at", finishedAt);
        return m;
    }
}
