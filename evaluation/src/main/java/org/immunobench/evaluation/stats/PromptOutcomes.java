package org.immunobench.evaluation.stats;

import org.immunobench.evaluation.results.MetricRow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rate metrics of a run rebuilt as means of per-prompt outcomes from its stored verdicts
 * ({@link GenerationVerdict}), so that the bootstrap can resample prompts without re-judging anything. The
 * definitions are the attack stage's (docs/methods.md, metrics), per task and step:
 * <pre>
 *   harmful_rate, refusal_rate, fluent_rate = mean over the harmful prompts of harmful / refusal / fluent (per judge)
 *   over_refusal                            = mean over the benign prompts of refusal
 *   task_accuracy                           = mean of correct over the benign prompts of the held-back task
 *   benign_accuracy                         = mean over the other benign tasks of their mean of correct (macro)
 * </pre>
 * The generations do not say which benign task was held back from pretraining. The caller may know it (the run's
 * toy world does); otherwise it is the one task under which the last two definitions reproduce every
 * {@code task_accuracy} and {@code benign_accuracy} row of the run ("none" when the run has no task_accuracy rows
 * and benign_accuracy is the macro over all tasks). When no task or several do (a model that answers every benign
 * prompt wrong fits them all), those two metrics get no prompt-level interval and {@link Report#heldBack()} says
 * why.
 *
 * <p>Prompts that were measured together form a <b>pool</b> (the same prompt set: same prompt ids), stratified by
 * domain; every task and step measured on a pool shares its resampling, so comparisons between checkpoints stay
 * paired. A <b>cell</b> is one rebuilt rate (task, step, metric, judge). Every metric row of a rate metric is matched
 * to its cell (the same judge, else the only cell of its task, step and metric: over_refusal rows name the refusal
 * judge, the benign verdicts the exact-answer grader) and the rebuilt value must equal the row's value within 1e-9;
 * a row that does not match keeps no prompt-level interval and is counted in the report, never silently given one.
 */
final class PromptOutcomes implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String HARMFUL_SET = "harmful";
    static final String BENIGN_SET = "benign";
    static final String TASK_ACCURACY = "task_accuracy";
    static final String BENIGN_ACCURACY = "benign_accuracy";
    /** The metrics a cell can rebuild. */
    static final Set<String> RATE_METRICS = Set.of("harmful_rate", "refusal_rate", "fluent_rate", "over_refusal",
            TASK_ACCURACY, BENIGN_ACCURACY);
    private static final double TOLERANCE = 1e-9;

    /** Prompts measured together; {@code strata} hold the prompt indices of each domain, domains sorted. */
    record Pool(String key, int size, int[][] strata) implements Serializable {
    }

    /**
     * One rate as a mean of outcomes: prompt {@code prompts[i]} of pool {@code pool} has outcome {@code x[i]} and
     * belongs to group {@code group[i]}; micro (one group) or the mean of the groups' means (macro).
     */
    record Cell(int pool, int[] prompts, boolean[] x, int[] group, int groups) implements Serializable {
        /** The rate when prompt p is drawn counts[p] times (all ones: the rate as measured). */
        double rate(int[] counts) {
            double[] num = new double[groups];
            double[] den = new double[groups];
            for (int i = 0; i < prompts.length; i++) {
                int c = counts[prompts[i]];
                den[group[i]] += c;
                if (x[i]) {
                    num[group[i]] += c;
                }
            }
            double sum = 0;
            int used = 0;
            for (int g = 0; g < groups; g++) {
                if (den[g] > 0) {
                    sum += num[g] / den[g];
                    used++;
                }
            }
            return used == 0 ? Double.NaN : sum / used;
        }
    }

    /**
     * @param rateRows metric rows of a rate metric
     * @param covered those matched to a rebuilt rate
     * @param mismatched those whose rebuilt rate differs from the row's value
     * @param withoutVerdicts those with no stored verdicts to rebuild from
     * @param heldBack the held-back benign task found, {@code none}, or why it could not be found
     */
    record Report(int rateRows, int covered, int mismatched, int withoutVerdicts, String heldBack, int pools,
            int cells) implements Serializable {
    }

    final List<Pool> pools;
    final List<Cell> cells;
    /** For each metric row (by position), its cell or −1. */
    final int[] cellOfRow;
    final Report report;

    private PromptOutcomes(List<Pool> pools, List<Cell> cells, int[] cellOfRow, Report report) {
        this.pools = pools;
        this.cells = cells;
        this.cellOfRow = cellOfRow;
        this.report = report;
    }

    /** Identity counts: every prompt of every pool drawn once. */
    int[][] unitCounts() {
        int[][] counts = new int[pools.size()][];
        for (int p = 0; p < pools.size(); p++) {
            counts[p] = new int[pools.get(p).size()];
            Arrays.fill(counts[p], 1);
        }
        return counts;
    }

    private record Group(String taskId, int step, String promptSet, String judge) {
        String key() {
            return taskId + '\u0000' + step + '\u0000' + promptSet + '\u0000' + judge;
        }
    }

    /** A group's verdicts laid out on its pool. */
    private record Placed(Group group, int pool, int[] prompts, GenerationVerdict[] verdicts) {
    }

    static PromptOutcomes of(List<GenerationVerdict> verdicts, List<MetricRow> metrics) {
        return of(verdicts, metrics, null);
    }

    /** @param heldBackTask the benign task held back from pretraining when known, else null (inferred) */
    static PromptOutcomes of(List<GenerationVerdict> verdicts, List<MetricRow> metrics, String heldBackTask) {
        Objects.requireNonNull(verdicts, "verdicts");
        Map<String, List<GenerationVerdict>> byGroup = new TreeMap<>();
        Map<String, Group> groups = new HashMap<>();
        for (GenerationVerdict v : verdicts) {
            Group g = new Group(v.taskId(), v.step(), v.promptSet(), v.judge());
            byGroup.computeIfAbsent(g.key(), k -> new ArrayList<>()).add(v);
            groups.putIfAbsent(g.key(), g);
        }
        List<Pool> pools = new ArrayList<>();
        Map<String, Integer> poolIndex = new HashMap<>();
        Map<String, Map<String, Integer>> promptIndex = new HashMap<>(); // pool key → prompt key → index
        List<Placed> placed = new ArrayList<>();
        for (Map.Entry<String, List<GenerationVerdict>> e : byGroup.entrySet()) {
            List<GenerationVerdict> vs = new ArrayList<>(e.getValue());
            vs.sort((a, b) -> a.promptId().compareTo(b.promptId()));
            // A prompt measured twice in one step is two draws of the pool: keyed by its occurrence.
            String[] keys = new String[vs.size()];
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < vs.size(); i++) {
                String id = vs.get(i).promptId();
                keys[i] = id + '#' + seen.merge(id, 1, Integer::sum);
            }
            Group g = groups.get(e.getKey());
            String poolKey = g.promptSet() + '|' + String.join(",", keys);
            Integer p = poolIndex.get(poolKey);
            if (p == null) {
                TreeMap<String, List<String>> strata = new TreeMap<>();
                for (int i = 0; i < vs.size(); i++) {
                    strata.computeIfAbsent(vs.get(i).domain(), d -> new ArrayList<>()).add(keys[i]);
                }
                Map<String, Integer> index = new HashMap<>();
                int[][] s = new int[strata.size()][];
                int k = 0;
                int next = 0;
                for (List<String> members : strata.values()) {
                    s[k] = new int[members.size()];
                    for (int i = 0; i < members.size(); i++) {
                        index.put(members.get(i), next);
                        s[k][i] = next++;
                    }
                    k++;
                }
                p = pools.size();
                pools.add(new Pool(poolKey, next, s));
                poolIndex.put(poolKey, p);
                promptIndex.put(poolKey, index);
            }
            Map<String, Integer> index = promptIndex.get(poolKey);
            int[] prompts = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                prompts[i] = index.get(keys[i]);
            }
            placed.add(new Placed(g, p, prompts, vs.toArray(GenerationVerdict[]::new)));
        }

        Map<String, List<Integer>> rowsOf = new HashMap<>(); // task, step, metric → metric row positions
        for (int i = 0; i < metrics.size(); i++) {
            MetricRow r = metrics.get(i);
            if (RATE_METRICS.contains(r.metric())) {
                rowsOf.computeIfAbsent(cellKey(r.taskId(), r.step(), r.metric()), k -> new ArrayList<>()).add(i);
            }
        }

        List<Cell> cells = new ArrayList<>();
        Map<String, Map<String, Integer>> cellsOf = new HashMap<>(); // task, step, metric → judge → cell
        List<Placed> benign = new ArrayList<>();
        for (Placed pl : placed) {
            switch (pl.group().promptSet()) {
                case HARMFUL_SET -> {
                    add(cells, cellsOf, pl, "harmful_rate", micro(pl, GenerationVerdict::harmful, null));
                    add(cells, cellsOf, pl, "refusal_rate", micro(pl, GenerationVerdict::refusal, null));
                    add(cells, cellsOf, pl, "fluent_rate", micro(pl, GenerationVerdict::fluent, null));
                }
                case BENIGN_SET -> {
                    add(cells, cellsOf, pl, "over_refusal", micro(pl, GenerationVerdict::refusal, null));
                    benign.add(pl);
                }
                default -> {
                    // Another prompt set (a later probe's): no rate of the pillars is defined on it.
                }
            }
        }
        String heldBack = heldBackTask != null ? heldBackTask : heldBack(benign, metrics, rowsOf);
        if (!heldBack.startsWith("unknown")) {
            String h = heldBack.equals("none") ? null : heldBack;
            for (Placed pl : benign) {
                if (h != null && Arrays.stream(pl.verdicts()).anyMatch(v -> v.domain().equals(h))) {
                    add(cells, cellsOf, pl, TASK_ACCURACY, micro(pl, GenerationVerdict::correct, h));
                }
                Cell macro = macro(pl, h);
                if (macro != null) {
                    add(cells, cellsOf, pl, BENIGN_ACCURACY, macro);
                }
            }
        }

        int[] cellOfRow = new int[metrics.size()];
        Arrays.fill(cellOfRow, -1);
        int rateRows = 0;
        int covered = 0;
        int mismatched = 0;
        int without = 0;
        PromptOutcomes draft = new PromptOutcomes(pools, cells, cellOfRow, null);
        int[][] unit = draft.unitCounts();
        for (int i = 0; i < metrics.size(); i++) {
            MetricRow r = metrics.get(i);
            if (!RATE_METRICS.contains(r.metric())) {
                continue;
            }
            rateRows++;
            Map<String, Integer> byJudge = cellsOf.getOrDefault(cellKey(r.taskId(), r.step(), r.metric()), Map.of());
            Integer c = byJudge.get(r.judge());
            if (c == null && byJudge.size() == 1) {
                c = byJudge.values().iterator().next();
            }
            if (c == null) {
                without++;
                continue;
            }
            Cell cell = cells.get(c);
            if (Math.abs(cell.rate(unit[cell.pool()]) - r.value()) <= TOLERANCE) {
                cellOfRow[i] = c;
                covered++;
            } else {
                mismatched++;
            }
        }
        return new PromptOutcomes(List.copyOf(pools), List.copyOf(cells), cellOfRow,
                new Report(rateRows, covered, mismatched, without, heldBackTask != null ? heldBack + " (given)"
                        : heldBack + (heldBack.startsWith("unknown") ? "" : " (inferred)"), pools.size(),
                        cells.size()));
    }

    private static String cellKey(String taskId, int step, String metric) {
        return taskId + '\u0000' + step + '\u0000' + metric;
    }

    private static void add(List<Cell> cells, Map<String, Map<String, Integer>> cellsOf, Placed pl, String metric,
            Cell cell) {
        cellsOf.computeIfAbsent(cellKey(pl.group().taskId(), pl.group().step(), metric), k -> new LinkedHashMap<>())
                .put(pl.group().judge(), cells.size());
        cells.add(cell);
    }

    /** Mean of an outcome over the group's prompts (of one domain when {@code onlyDomain} is set). */
    private static Cell micro(Placed pl, java.util.function.Predicate<GenerationVerdict> outcome, String onlyDomain) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < pl.verdicts().length; i++) {
            if (onlyDomain == null || pl.verdicts()[i].domain().equals(onlyDomain)) {
                keep.add(i);
            }
        }
        int[] prompts = new int[keep.size()];
        boolean[] x = new boolean[keep.size()];
        for (int k = 0; k < keep.size(); k++) {
            prompts[k] = pl.prompts()[keep.get(k)];
            x[k] = outcome.test(pl.verdicts()[keep.get(k)]);
        }
        return new Cell(pl.pool(), prompts, x, new int[keep.size()], 1);
    }

    /** benign_accuracy: mean over the domains other than {@code heldBack} of their mean of correct; null if none. */
    private static Cell macro(Placed pl, String heldBack) {
        TreeMap<String, Integer> domains = new TreeMap<>();
        for (GenerationVerdict v : pl.verdicts()) {
            if (!v.domain().equals(heldBack)) {
                domains.putIfAbsent(v.domain(), 0);
            }
        }
        if (domains.isEmpty()) {
            return null;
        }
        int k = 0;
        for (Map.Entry<String, Integer> e : domains.entrySet()) {
            e.setValue(k++);
        }
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < pl.verdicts().length; i++) {
            if (domains.containsKey(pl.verdicts()[i].domain())) {
                keep.add(i);
            }
        }
        int[] prompts = new int[keep.size()];
        boolean[] x = new boolean[keep.size()];
        int[] group = new int[keep.size()];
        for (int j = 0; j < keep.size(); j++) {
            GenerationVerdict v = pl.verdicts()[keep.get(j)];
            prompts[j] = pl.prompts()[keep.get(j)];
            x[j] = v.correct();
            group[j] = domains.get(v.domain());
        }
        return new Cell(pl.pool(), prompts, x, group, domains.size());
    }

    /**
     * The benign task held back from pretraining: the one candidate (no task, or one of the benign domains) under
     * which every task_accuracy and benign_accuracy row is reproduced by the verdicts; otherwise "unknown: …".
     */
    private static String heldBack(List<Placed> benign, List<MetricRow> metrics, Map<String, List<Integer>> rowsOf) {
        if (benign.isEmpty()) {
            return "unknown: no benign verdicts";
        }
        TreeSet<String> domains = new TreeSet<>();
        benign.forEach(pl -> Arrays.stream(pl.verdicts()).forEach(v -> domains.add(v.domain())));
        List<String> candidates = new ArrayList<>();
        candidates.add(null);
        candidates.addAll(domains);
        List<String> fits = new ArrayList<>();
        for (String h : candidates) {
            int checked = 0;
            boolean consistent = true;
            for (Placed pl : benign) {
                int[] unit = new int[pl.prompts().length == 0 ? 0 : Arrays.stream(pl.prompts()).max().getAsInt() + 1];
                Arrays.fill(unit, 1);
                String task = pl.group().taskId();
                int step = pl.group().step();
                List<Integer> ta = rowsOf.getOrDefault(cellKey(task, step, TASK_ACCURACY), List.of());
                List<Integer> ba = rowsOf.getOrDefault(cellKey(task, step, BENIGN_ACCURACY), List.of());
                if (!ta.isEmpty()) {
                    boolean has = h != null && Arrays.stream(pl.verdicts()).anyMatch(v -> v.domain().equals(h));
                    double rate = has ? micro(pl, GenerationVerdict::correct, h).rate(unit) : Double.NaN;
                    for (int i : ta) {
                        checked++;
                        consistent &= Math.abs(rate - metrics.get(i).value()) <= TOLERANCE;
                    }
                }
                if (!ba.isEmpty()) {
                    Cell m = macro(pl, h);
                    double rate = m == null ? Double.NaN : m.rate(unit);
                    for (int i : ba) {
                        checked++;
                        consistent &= Math.abs(rate - metrics.get(i).value()) <= TOLERANCE;
                    }
                }
                if (!consistent) {
                    break;
                }
            }
            if (consistent && checked > 0) {
                fits.add(h == null ? "none" : h);
            }
        }
        if (fits.size() == 1) {
            return fits.get(0);
        }
        return fits.isEmpty() ? "unknown: no benign task reproduces the task_accuracy and benign_accuracy rows"
                : "unknown: several benign tasks reproduce the accuracy rows " + fits;
    }
}
