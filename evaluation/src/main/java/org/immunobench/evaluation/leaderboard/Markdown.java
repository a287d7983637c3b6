package org.immunobench.evaluation.leaderboard;

import org.immunobench.evaluation.results.Tracks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** leaderboard.md: a GitHub table, the ordering rule under it, and the provenance footer. */
final class Markdown {
    private Markdown() {
    }

    static String render(LeaderboardTable table, Provenance p) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title(table.track())).append(" — run ").append(p.runId()).append("\n\n");
        String note = trackNote(table.track());
        if (!note.isEmpty()) {
            sb.append(note).append("\n\n");
        }
        row(sb, table.headers());
        sb.append('|');
        for (int i = 0; i < table.headers().size(); i++) {
            // Rank and figures right-aligned; the defence label and the flag are text.
            sb.append(i == 1 || i == table.headers().size() - 1 ? " --- |" : " ---: |");
        }
        sb.append('\n');
        table.rows().forEach(r -> row(sb, r.cells()));
        sb.append('\n').append(table.orderingRule()).append("\n\n");
        winRates(sb, table);
        footer(sb, p);
        return sb.toString();
    }

    /** The heading: "Leaderboard" for the open-weight track, which has always been the leaderboard. */
    static String title(String track) {
        return Tracks.FINETUNING_STAGE.equals(track) ? "Leaderboard, fine-tuning-stage track" : "Leaderboard";
    }

    /** What a reader must know before comparing the rows of a track's table; empty for the open-weight track. */
    static String trackNote(String track) {
        if (!Tracks.FINETUNING_STAGE.equals(track)) {
            return "";
        }
        return "Defences that run inside the provider's fine-tuning (Lisa, Security Vectors): the provider, not the"
                + " attacker, controls the training loop, so these rows answer another threat model than the"
                + " open-weight leaderboard and are not ranked with it. Each row attacks the undefended checkpoint;"
                + " `none` is the plain attack on that checkpoint, the baseline of every delta.";
    }

    /** The win-rate table (HELM-style, across attack families), when there is any family to compare under. */
    private static void winRates(StringBuilder sb, LeaderboardTable table) {
        WinRates w = table.winRates();
        if (w.families().isEmpty()) {
            return;
        }
        sb.append("**Win rates** of ").append(w.pillar()).append(' ').append(w.metric())
                .append(" across attack families (share of head-to-head comparisons won; an equal value counts"
                        + " half):\n\n");
        List<String> header = new java.util.ArrayList<>(List.of("rank", "defence"));
        header.addAll(w.families());
        header.add("mean win rate");
        row(sb, header);
        sb.append("| ---: | --- |").append(" ---: |".repeat(w.families().size() + 1)).append('\n');
        for (LeaderboardRow r : table.rows()) {
            String id = WinRates.rowId(r.defence(), r.checkpointId());
            List<String> cells = new java.util.ArrayList<>(List.of(r.cells().get(0), r.label()));
            w.families().forEach(f -> cells.add(share(w.rate(id, f))));
            cells.add(share(w.mean(id)));
            row(sb, cells);
        }
        sb.append('\n');
    }

    static String share(Double v) {
        return v == null ? CellFormat.UNDEFINED : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void row(StringBuilder sb, List<String> cells) {
        sb.append('|');
        for (String c : cells) {
            // A pipe would end the cell; a line break would end the table.
            sb.append(' ').append(c.replace("|", "\\|").replace("\r", " ").replace("\n", " ")).append(" |");
        }
        sb.append('\n');
    }

    private static void footer(StringBuilder sb, Provenance p) {
        sb.append("---\n\n**Provenance**\n\n");
        sb.append("- run: `").append(p.runId()).append("`\n");
        if (p.config().contains("\n")) {
            // A fence longer than any backtick run inside, so the config cannot close its own block.
            String fence = "```";
            while (p.config().contains(fence)) {
                fence += "`";
            }
            sb.append("- config:\n\n").append(fence).append('\n').append(p.config().stripTrailing()).append('\n')
                    .append(fence).append("\n\n");
        } else {
            sb.append("- config: `").append(p.config()).append("`\n");
        }
        sb.append("- seeds: ").append(p.seeds().isEmpty() ? "none" : join(p.seeds())).append('\n');
        sb.append("- judge: ").append(p.judge()).append('\n');
        sb.append("- code version: ").append(p.codeVersion()).append('\n');
        sb.append("- created at: ").append(p.createdAt()).append('\n');
        sb.append("- stage timings:");
        if (p.stageTimings().isEmpty()) {
            sb.append(" none");
        }
        sb.append('\n');
        for (Map.Entry<String, Double> t : p.stageTimings().entrySet()) {
            sb.append("  - ").append(t.getKey()).append(": ").append(seconds(t.getValue())).append('\n');
        }
    }

    static String seconds(Double s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String join(List<Long> seeds) {
        return String.join(", ", seeds.stream().map(String::valueOf).toList());
    }
}
