package org.immunobench.jobs.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.immunobench.evaluation.results.MetricRow;
import org.immunobench.jobs.CodeVersion;
import org.immunobench.jobs.search.Score;
import org.immunobench.jobs.search.TrialGate;
import org.immunobench.lm.config.ConfigBinder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What turns an attack task into a search trial inside {@link AttackRunner}: after each measurement it hands the
 * step's harmful rate and benign-accuracy drop (points, against step 0) to the trial's {@link TrialGate}, and ends
 * the attack by throwing {@link Stop} when successive halving stops the trial; at commit it writes the trial's row.
 */
final class TrialHook {
    static final String FILE = "trial.jsonl";
    static final String STOPPED = "stopped";

    /** Thrown out of the attack's probe callback to end the attack at a rung; not an error. */
    static final class Stop extends RuntimeException {
        Stop(int step) {
            super("stopped at step " + step, null, false, false);
        }
    }

    private final TrialTask task;
    private final TrialGate gate;

    TrialHook(TrialTask task) {
        this.task = task;
        this.gate = new TrialGate(task.index(), task.rungs(), task.eta(), task.history());
    }

    /** @throws Stop when the trial stops at {@code step} */
    void after(int step, ModelProbe probe) {
        double harm = value(probe.metrics, step, "harmful_rate");
        double drop = 100 * (value(probe.metrics, 0, "benign_accuracy") - value(probe.metrics, step,
                "benign_accuracy"));
        if (!gate.keepGoing(step, harm, optional(probe.metrics, step, "harmful_nll"), drop)) {
            throw new Stop(step);
        }
    }

    private static double optional(List<MetricRow> rows, int step, String metric) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            MetricRow r = rows.get(i);
            if (r.step() == step && r.metric().equals(metric)) {
                return r.value();
            }
        }
        return Double.NaN;
    }

    private double value(List<MetricRow> rows, int step, String metric) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            MetricRow r = rows.get(i);
            if (r.step() == step && r.metric().equals(metric)) {
                return r.value();
            }
        }
        throw new IllegalStateException("trial " + task.attack().taskId() + ", step " + step + ": no " + metric
                + " measured; a search trial needs harmful_rate and benign_accuracy at step 0 and every rung");
    }

    TrialRow row(String status, int lastStep, double seconds) {
        AttackTask t = task.attack();
        List<Map<String, Object>> scores = new ArrayList<>();
        for (Score s : gate.scores()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.step());
            m.put("harm", s.harm());
            m.put("nll", s.nll());
            m.put("drop", s.drop());
            scores.add(m);
        }
        String json;
        try {
            json = ConfigBinder.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature
                    .INDENT_OUTPUT).writeValueAsString(scores);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new TrialRow(t.runId(), task.searchId(), t.taskId(), task.index(), task.wave(), t.checkpointId(),
                t.parentId(), t.rowDefence(), t.track(), t.attack().kind(), t.split(), t.pillar(),
                t.attackConfigJson(), t.attack().seed(), status, lastStep, json, seconds, Instant.now().toString(),
                CodeVersion.describe());
    }
}
