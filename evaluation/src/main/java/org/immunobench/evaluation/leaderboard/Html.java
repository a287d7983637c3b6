package org.immunobench.evaluation.leaderboard;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import org.immunobench.evaluation.results.PillarRow;
import org.immunobench.evaluation.results.Tracks;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * leaderboard.html: one self-contained page (inline CSS, charts as data URIs, no scripts, fonts or links to
 * fetch; the only links are anchors inside the page) so it can be mailed, archived or opened offline and look the
 * same. The layout lives in a Mustache template resource; this class only assembles the values, which Mustache
 * HTML-escapes.
 */
final class Html {
    static final String TEMPLATE = "leaderboard.html.mustache";

    private Html() {
    }

    /** A landscape heatmap to embed. */
    record Landscape(String name, byte[] png) {
    }

    /** A row's drill-down: its charts (null when it has no such curves) and stored generations. */
    record Drill(String anchor, LeaderboardRow row, byte[] harmPng, byte[] capabilityPng,
            List<GenerationSample> samples) {
    }

    /** Everything the page shows besides the table and provenance. */
    record Page(String attackFamily, byte[] harmPng, byte[] pillarsPng, String uncertainty,
            List<Landscape> landscapes, List<Drill> drills, Search search) {
    }

    /**
     * The hyper-parameter searches' best-so-far chart of this table.
     *
     * @param png the chart, or null when no search ran for this table
     * @param trials trials per search (the chart's x range)
     * @param epsilon the chart's budget, as the metric names write it
     */
    record Search(byte[] png, int trials, String epsilon) {
        static final Search NONE = new Search(null, 0, "");
    }

    static String render(LeaderboardTable table, Provenance p, Page page) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("runId", p.runId());
        view.put("title", Markdown.title(table.track()));
        view.put("trackNote", Markdown.trackNote(table.track()).replace("`", ""));
        view.put("fineTuningTrack", Tracks.FINETUNING_STAGE.equals(table.track()));
        view.put("orderingRule", table.orderingRule());
        view.put("headers", table.headers());
        Map<LeaderboardRow, String> anchors = new LinkedHashMap<>();
        page.drills().forEach(d -> anchors.put(d.row(), d.anchor()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LeaderboardRow r : table.rows()) {
            List<String> cells = r.cells();
            rows.add(Map.of("rank", cells.get(0), "label", cells.get(1), "anchor", anchors.getOrDefault(r, ""),
                    "rest", cells.subList(2, cells.size()), "breaksStability", r.breaksStability()));
        }
        view.put("rows", rows);
        view.put("uncertainty", page.uncertainty());
        view.put("attackFamily", page.attackFamily());
        view.put("harmChart", Charts.dataUri(page.harmPng()));
        view.put("pillarChart", Charts.dataUri(page.pillarsPng()));
        view.put("bestSoFarChart", page.search().png() == null ? null : Charts.dataUri(page.search().png()));
        view.put("searchTrials", page.search().trials());
        view.put("searchEpsilon", page.search().epsilon());
        view.put("headlines", Charts.HEADLINES.stream().map(k -> LeaderboardColumn.ofKey(k).header()).toList());
        winRates(view, table, anchors);
        List<Map<String, String>> landscapes = new ArrayList<>();
        page.landscapes().forEach(l -> landscapes.add(Map.of("name", l.name(), "uri", Charts.dataUri(l.png()))));
        view.put("landscapes", landscapes);
        view.put("hasLandscapes", !landscapes.isEmpty());
        List<Map<String, Object>> drills = new ArrayList<>();
        for (Drill d : page.drills()) {
            drills.add(drill(table, d));
        }
        view.put("drills", drills);
        view.put("config", p.config());
        view.put("configIsText", p.config().contains("\n"));
        view.put("seeds", p.seeds().isEmpty() ? "none" : String.join(", ", p.seeds().stream()
                .map(String::valueOf).toList()));
        view.put("judge", p.judge());
        view.put("codeVersion", p.codeVersion());
        view.put("createdAt", p.createdAt());
        List<Map<String, String>> timings = new ArrayList<>();
        p.stageTimings().forEach((stage, s) -> timings.add(Map.of("stage", stage, "seconds", Markdown.seconds(s))));
        view.put("timings", timings);
        view.put("hasTimings", !timings.isEmpty());
        return template().execute(view);
    }

    private static void winRates(Map<String, Object> view, LeaderboardTable table,
            Map<LeaderboardRow, String> anchors) {
        WinRates w = table.winRates();
        view.put("winFigure", w.pillar() + " " + w.metric());
        view.put("winFamilies", w.families());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LeaderboardRow r : table.rows()) {
            String id = WinRates.rowId(r.defence(), r.checkpointId());
            List<String> cells = new ArrayList<>();
            w.families().forEach(f -> cells.add(share(w.rate(id, f))));
            cells.add(share(w.mean(id)));
            rows.add(Map.of("rank", r.cells().get(0), "label", r.label(), "anchor", anchors.getOrDefault(r, ""),
                    "cells", cells));
        }
        view.put("winRows", rows);
        view.put("hasWinRates", !w.families().isEmpty());
    }

    private static String share(Double v) {
        return Markdown.share(v);
    }

    private static Map<String, Object> drill(LeaderboardTable table, Drill d) {
        Map<String, Object> m = new LinkedHashMap<>();
        LeaderboardRow r = d.row();
        m.put("anchor", d.anchor());
        m.put("label", r.label());
        m.put("rank", r.cells().get(0));
        m.put("checkpointId", r.checkpointId());
        List<Map<String, String>> figures = new ArrayList<>();
        table.figures(r).forEach((key, f) -> figures.add(figure(key, f)));
        m.put("figures", figures);
        m.put("hasFigures", !figures.isEmpty());
        m.put("hasHarmChart", d.harmPng() != null);
        m.put("harmChart", d.harmPng() == null ? "" : Charts.dataUri(d.harmPng()));
        m.put("hasCapabilityChart", d.capabilityPng() != null);
        m.put("capabilityChart", d.capabilityPng() == null ? "" : Charts.dataUri(d.capabilityPng()));
        Map<String, List<Map<String, Object>>> byJudge = new TreeMap<>();
        for (GenerationSample s : d.samples()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("promptSet", s.promptSet());
            x.put("domain", s.domain());
            x.put("prompt", s.prompt());
            x.put("firstStep", s.firstStep());
            x.put("firstCompletion", s.firstCompletion());
            x.put("firstVerdict", s.firstVerdict());
            x.put("lastStep", s.lastStep());
            x.put("lastCompletion", s.lastCompletion());
            x.put("lastVerdict", s.lastVerdict());
            x.put("taskId", s.taskId());
            byJudge.computeIfAbsent(s.judge(), j -> new ArrayList<>()).add(x);
        }
        List<Map<String, Object>> judges = new ArrayList<>();
        byJudge.forEach((judge, samples) -> judges.add(Map.of("judge", judge, "samples", samples)));
        m.put("judges", judges);
        m.put("hasSamples", !judges.isEmpty());
        return m;
    }

    private static Map<String, String> figure(String key, PillarRow f) {
        LeaderboardColumn c = LeaderboardColumn.ofKey(key);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pillar", c.pillar());
        m.put("metric", c.metric());
        m.put("value", CellFormat.value(c, f.value()));
        m.put("ci", CellFormat.interval(c, f.ciLow(), f.ciHigh()));
        m.put("method", f.ciMethod() + (f.nBoot() > 0 ? " (B=" + f.nBoot() + ")" : ""));
        m.put("nSeeds", Integer.toString(f.nSeeds()));
        m.put("seedRange", CellFormat.interval(c, f.seedMin(), f.seedMax()));
        m.put("n", Long.toString(f.n()));
        m.put("judge", f.judge());
        return m;
    }

    private static Template template() {
        try (InputStream in = Html.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("template resource " + TEMPLATE + " is missing from the classpath");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                // Strict about names (a typo in the template fails instead of printing nothing).
                return Mustache.compiler().compile(reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TEMPLATE, e);
        }
    }
}
