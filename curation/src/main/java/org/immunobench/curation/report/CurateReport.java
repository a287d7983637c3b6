package org.immunobench.curation.report;

import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.perplexity.GroupPercentiles;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a curate run did, for {@code OUT/report.json} ({@link #toJson()}) and {@code OUT/report.md}
 * ({@link #toMarkdown()}): the row accounting taken from the written outputs, each stage's counts per source, the
 * quarantine's commonest reasons, the contamination list, and the perplexity figures.
 *
 * @param run provenance: code version, time, master, paths, wall time
 * @param config the resolved config (file form)
 * @param accounting per source, from the output files: rows in = kept + quarantined + dropped-with-reason
 * @param quarantineReasons per source, reason pattern (digits as #) → rows, commonest first
 * @param contaminationSample the first leaks (id, source, source_row, split, reason, jaccard)
 * @param perplexity stage 5–6 figures, or a summary saying why they were skipped
 * @param files what the run wrote, relative to its output directory
 */
public record CurateReport(Map<String, Object> run, Map<String, Object> config, List<StageReport> stages,
        List<Accounting> accounting, Map<String, Map<String, Long>> quarantineReasons, long contaminatingRows,
        List<Map<String, Object>> contaminationSample, PerplexitySummary perplexity, List<String> files) {

    public static final int SAMPLE_ROWS = 20;

    /** One source's (or all sources') final row accounting; unlike {@link SourceCounts} it may not add up. */
    public record Accounting(String source, long rowsIn, long kept, long quarantined, Map<String, Long> dropped) {
        public Accounting {
            dropped = new TreeMap<>(dropped);
        }

        public long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }

        public boolean holds() {
            return rowsIn == kept + quarantined + droppedTotal();
        }

        /** The same figures as validated counts; throws naming the source when they do not add up. */
        public SourceCounts toCounts() {
            return new SourceCounts(source, rowsIn, kept, quarantined, dropped);
        }
    }

    /**
     * @param tokensPerSecond scored tokens over the stage's wall time (reading, tokenizing and writing included)
     * @param forwardTokensPerSecond tokens through the model per second of forward time, summed over tasks
     * @param buckets source → bucket label → rows
     */
    public record PerplexitySummary(boolean enabled, String note, String model, long rowsScored,
            long rowsUnscorable, long tokens, double seconds, double tokensPerSecond, double forwardTokensPerSecond,
            List<GroupPercentiles> groups, Map<String, Map<String, Long>> buckets) {

        public static PerplexitySummary skipped(String why) {
            return new PerplexitySummary(false, why, null, 0, 0, 0, 0, 0, 0, List.of(), Map.of());
        }
    }

    public CurateReport {
        stages = List.copyOf(stages);
        accounting = List.copyOf(accounting);
        files = List.copyOf(files);
    }

    public Accounting total() {
        Map<String, Long> dropped = new TreeMap<>();
        long in = 0;
        long kept = 0;
        long q = 0;
        for (Accounting a : accounting) {
            in += a.rowsIn();
            kept += a.kept();
            q += a.quarantined();
            a.dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum));
        }
        return new Accounting("all", in, kept, q, dropped);
    }

    /** Whether rows in = kept + quarantined + dropped-with-reason for every source and overall. */
    public boolean holds() {
        return accounting.stream().allMatch(Accounting::holds) && total().holds();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run);
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("equation", "rows_in = kept + quarantined + dropped");
        acc.put("holds", holds());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Accounting a : accounting) {
            rows.add(accountingJson(a));
        }
        acc.put("sources", rows);
        acc.put("total", accountingJson(total()));
        m.put("accounting", acc);
        List<Map<String, Object>> st = new ArrayList<>();
        for (StageReport s : stages) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("stage", s.stage());
            sm.put("title", s.title());
            sm.put("skipped", s.skipped());
            sm.put("seconds", round(s.seconds()));
            if (!s.skipped()) {
                List<Map<String, Object>> per = new ArrayList<>();
                for (SourceCounts c : s.counts().sources()) {
                    per.add(countsJson(c));
                }
                sm.put("sources", per);
                sm.put("total", countsJson(s.counts().total()));
            }
            sm.put("notes", s.notes());
            st.add(sm);
        }
        m.put("stages", st);
        m.put("quarantine_reasons", quarantineReasons);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rows", contaminatingRows);
        c.put("first", contaminationSample);
        m.put("contamination", c);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("enabled", perplexity.enabled());
        p.put("note", perplexity.note());
        if (perplexity.enabled()) {
            p.put("model", perplexity.model());
            p.put("rows_scored", perplexity.rowsScored());
            p.put("rows_unscorable", perplexity.rowsUnscorable());
            p.put("tokens", perplexity.tokens());
            p.put("seconds", round(perplexity.seconds()));
            p.put("tokens_per_second", round(perplexity.tokensPerSecond()));
            p.put("forward_tokens_per_second", round(perplexity.forwardTokensPerSecond()));
            List<Map<String, Object>> groups = new ArrayList<>();
            for (GroupPercentiles g : perplexity.groups()) {
                Map<String, Object> gm = new LinkedHashMap<>();
                gm.put("source", g.source());
                gm.put("domain", g.domain());
                gm.put("n", g.n());
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = 0; i < g.percents().size(); i++) {
                    values.put("p" + fmt(g.percents().get(i)), g.values().get(i));
                }
                gm.put("percentiles", values);
                groups.add(gm);
            }
            p.put("groups", groups);
            p.put("buckets", perplexity.buckets());
        }
        m.put("perplexity", p);
        m.put("files", files);
        m.put("config", config);
        return m;
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Curate report\n\n");
        for (Map.Entry<String, Object> e : run.entrySet()) {
            b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        b.append("\n## Row accounting\n\n");
        b.append("Counted from the written outputs (`corpus`, `quarantine`, `dropped`). Rows in = kept + quarantined"
                + " + dropped-with-reason: **").append(holds() ? "holds" : "BROKEN").append("**.\n\n");
        b.append("| source | rows in | kept | quarantined | dropped | dropped by reason | holds |\n");
        b.append("|---|---:|---:|---:|---:|---|---|\n");
        List<Accounting> all = new ArrayList<>(accounting);
        all.add(total());
        for (Accounting a : all) {
            b.append("| ").append(a.source()).append(" | ").append(a.rowsIn()).append(" | ").append(a.kept())
                    .append(" | ").append(a.quarantined()).append(" | ").append(a.droppedTotal()).append(" | ")
                    .append(reasons(a.dropped())).append(" | ").append(a.holds() ? "yes" : "**no**").append(" |\n");
        }
        b.append("\n## Stages\n");
        int i = 1;
        for (StageReport s : stages) {
            b.append("\n### ").append(i++).append(". ").append(s.stage());
            if (s.skipped()) {
                b.append(" (skipped)\n\n");
            } else {
                b.append(String.format(Locale.ROOT, " (%.1f s)%n%n", s.seconds()));
                b.append(s.title()).append("\n\n");
                b.append("| source | in | kept | quarantined | dropped | by reason |\n|---|---:|---:|---:|---:|---|\n");
                List<SourceCounts> rows = new ArrayList<>(s.counts().sources());
                rows.add(s.counts().total());
                for (SourceCounts c : rows) {
                    b.append("| ").append(c.source()).append(" | ").append(c.rowsIn()).append(" | ").append(c.kept())
                            .append(" | ").append(c.quarantined()).append(" | ").append(c.droppedTotal())
                            .append(" | ").append(reasons(c.dropped())).append(" |\n");
                }
                b.append('\n');
            }
            for (String n : s.notes()) {
                b.append("- ").append(n).append('\n');
            }
        }
        b.append("\n## Quarantine\n\n");
        if (quarantineReasons.isEmpty()) {
            b.append("No rows quarantined.\n");
        }
        for (Map.Entry<String, Map<String, Long>> e : quarantineReasons.entrySet()) {
            b.append("- **").append(e.getKey()).append("**: ");
            List<String> parts = new ArrayList<>();
            e.getValue().forEach((r, n) -> parts.add("`" + r.replace("`", "'") + "` " + n));
            b.append(String.join("; ", parts)).append('\n');
        }
        b.append("\n## Decontamination\n\n");
        b.append(contaminatingRows).append(" training-side rows dropped for duplicating or near-duplicating an eval"
                + " row (full list: `contamination/`, also in `dropped/`).\n");
        if (!contaminationSample.isEmpty()) {
            b.append("\n| id | source | source_row | split | reason | jaccard |\n|---|---|---:|---|---|---:|\n");
            for (Map<String, Object> r : contaminationSample) {
                b.append("| ").append(r.get("id")).append(" | ").append(r.get("source")).append(" | ")
                        .append(r.get("source_row")).append(" | ").append(r.get("split")).append(" | ")
                        .append(r.get("reason")).append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f", ((Number) r.get("jaccard")).doubleValue()))
                        .append(" |\n");
            }
        }
        b.append("\n## Perplexity\n\n");
        b.append(perplexity.note()).append('\n');
        if (perplexity.enabled()) {
            b.append(String.format(Locale.ROOT, "%n- model: %s%n- rows scored %d, unscorable %d, tokens %d in %.1f s:"
                    + " %.0f tok/s over the stage, %.0f tok/s through the model (summed over tasks)%n",
                    perplexity.model(), perplexity.rowsScored(), perplexity.rowsUnscorable(), perplexity.tokens(),
                    perplexity.seconds(), perplexity.tokensPerSecond(), perplexity.forwardTokensPerSecond()));
            b.append("\nBuckets per source: ");
            List<String> parts = new ArrayList<>();
            perplexity.buckets().forEach((s, m) -> parts.add(s + " " + m));
            b.append(String.join("; ", parts)).append("\n\n");
            if (!perplexity.groups().isEmpty()) {
                List<Double> ps = perplexity.groups().get(0).percents();
                b.append("| source | domain | n |");
                ps.forEach(p -> b.append(" p").append(fmt(p)).append(" |"));
                b.append("\n|---|---|---:|");
                ps.forEach(p -> b.append("---:|"));
                b.append('\n');
                int shown = 0;
                for (GroupPercentiles g : perplexity.groups()) {
                    if (shown++ == 50) {
                        b.append("\n(").append(perplexity.groups().size() - 50)
                                .append(" more groups in report.json)\n");
                        break;
                    }
                    b.append("| ").append(g.source()).append(" | ").append(g.domain()).append(" | ").append(g.n())
                            .append(" |");
                    g.values().forEach(v -> b.append(' ').append(num(v)).append(" |"));
                    b.append('\n');
                }
            }
        }
        b.append("\n## Files\n\n");
        for (String f : files) {
            b.append("- `").append(f).append("`");
            if (f.endsWith(".png")) {
                b.append("\n\n  ![").append(f).append("](").append(f).append(")\n");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Quarantine reasons with free-standing numbers as '#', so "invalid UTF-8 at byte 22" and "at byte 7" count
     * together (numbers glued to a word or a hyphen, as in UTF-8 or file_3.csv, stay).
     */
    public static String reasonPattern(String reason) {
        String r = reason.replaceAll("(?<![A-Za-z0-9_+-])[0-9]+", "#");
        return r.length() > 120 ? r.substring(0, 117) + "..." : r;
    }

    private static Map<String, Object> accountingJson(Accounting a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", a.source());
        m.put("rows_in", a.rowsIn());
        m.put("kept", a.kept());
        m.put("quarantined", a.quarantined());
        m.put("dropped", a.droppedTotal());
        m.put("dropped_by_reason", a.dropped());
        m.put("holds", a.holds());
        return m;
    }

    private static Map<String, Object> countsJson(SourceCounts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", c.source());
        m.put("rows_in", c.rowsIn());
        m.put("kept", c.kept());
        m.put("quarantined", c.quarantined());
        m.put("dropped", c.droppedTotal());
        m.put("dropped_by_reason", c.dropped());
        return m;
    }

    private static String reasons(Map<String, Long> dropped) {
        List<String> parts = new ArrayList<>();
        dropped.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    /** Four significant digits, plain unless the value is very large or small. */
    static String num(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (Math.abs(v) >= 1e7 || Math.abs(v) < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String fmt(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
