package org.immunobench.evaluation.leaderboard;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
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

/**
 * leaderboard.html: one self-contained page (inline CSS, charts as data URIs, no scripts, fonts or links) so it can
 * be mailed, archived or opened offline and look the same. The layout lives in a Mustache template resource; this
 * class only assembles the values, which Mustache HTML-escapes.
 */
final class Html {
    static final String TEMPLATE = "leaderboard.html.mustache";

    private Html() {
    }

    static String render(LeaderboardTable table, Provenance p, String harmAttackFamily, byte[] harmPng,
            byte[] pillarsPng) {
        return render(table, p, harmAttackFamily, harmPng, pillarsPng, null, 0, "");
    }

    /**
     * @param bestSoFarPng the searches' best-so-far chart, or null when no search ran for this table
     * @param trials trials per search (the chart's x range)
     * @param epsilon the chart's budget, as the metric names write it
     */
    static String render(LeaderboardTable table, Provenance p, String harmAttackFamily, byte[] harmPng,
            byte[] pillarsPng, byte[] bestSoFarPng, int trials, String epsilon) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("runId", p.runId());
        view.put("title", Markdown.title(table.track()));
        view.put("trackNote", Markdown.trackNote(table.track()).replace("`", ""));
        view.put("fineTuningTrack", Tracks.FINETUNING_STAGE.equals(table.track()));
        view.put("orderingRule", table.orderingRule());
        view.put("headers", table.headers());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LeaderboardRow r : table.rows()) {
            rows.add(Map.of("cells", r.cells(), "breaksStability", r.breaksStability()));
        }
        view.put("rows", rows);
        view.put("attackFamily", harmAttackFamily);
        view.put("harmChart", Charts.dataUri(harmPng));
        view.put("pillarChart", Charts.dataUri(pillarsPng));
        view.put("bestSoFarChart", bestSoFarPng == null ? null : Charts.dataUri(bestSoFarPng));
        view.put("searchTrials", trials);
        view.put("searchEpsilon", epsilon);
        view.put("headlines", Charts.HEADLINES.stream().map(k -> LeaderboardColumn.ofKey(k).header()).toList());
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
