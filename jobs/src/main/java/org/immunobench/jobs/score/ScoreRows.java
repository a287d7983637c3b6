package org.immunobench.jobs.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.immunobench.curation.adapters.Fields;
import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.ValidationLimits;

import java.util.List;

/**
 * The {@code score} job's input row as a curation {@link RecordMapper}, so score reads through the curate read path
 * (strict UTF-8, JSON and type checks, {@code RowValidator}'s normalisation, corpus ids) and adds only its own
 * shape rules:
 *
 * <ul>
 *   <li>a row has {@code text} (string), or {@code prompt} and {@code response} (strings), never both kinds; a JSON
 *       {@code null} (a null Parquet cell) counts as absent; other fields are ignored;</li>
 *   <li>a {@code text} row is the corpus's plain-text row: prompt = text, empty response, so it is scored as a whole
 *       and its corpus id is {@code ContentHash.of(normalised text, "")};</li>
 *   <li>{@code id} is optional, a string or a number (kept as its text); it rides to the scorer as the flag
 *       {@link #ID_FLAG}, and without it the row's id is its corpus id.</li>
 * </ul>
 * Domain, kind and split are placeholders the corpus row needs and score never writes.
 */
final class ScoreRows implements RecordMapper {
    static final String ID_FLAG = "source_id:";
    static final String UNSCORABLE = "row: nothing to score after tokenization: ";
    private static final String DOMAIN = "unlabelled";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How score reads its input: the input path as the source name, curate's default row limits. */
    static SourceContext context(String input) {
        return new SourceContext(input, Splits.EVAL, ValidationLimits.DEFAULT);
    }

    @Override
    public List<String> requiredColumns() {
        return List.of(); // text, or prompt and response: ScoreJob.validateParquetSchema checks the either-or
    }

    @Override
    public Candidate map(Fields f) {
        boolean text = f.present("text");
        boolean prompt = f.present("prompt");
        boolean response = f.present("response");
        if (text && (prompt || response)) {
            throw new BadRow("row", "has both text and prompt/response; give one or the other");
        }
        if (!text && !prompt && !response) {
            throw new BadRow("text", "missing (give text, or prompt and response)");
        }
        if (!text && (!prompt || !response)) {
            throw new BadRow(prompt ? "response" : "prompt", "missing (" + (prompt ? "prompt" : "response")
                    + " given)");
        }
        List<String> flags = List.of();
        if (f.present("id")) {
            String id = f.stringOrNumber("id");
            if (id.isBlank()) {
                throw new BadRow("id", "empty");
            }
            flags = List.of(ID_FLAG + id);
        }
        return text
                ? new Candidate("text", f.string("text"), null, "", false, DOMAIN, CorpusRow.BENIGN, flags)
                : new Candidate("prompt", f.string("prompt"), "response", f.string("response"), true, DOMAIN,
                        CorpusRow.BENIGN, flags);
    }

    /** The score id of a row read: the id it was given, else its corpus id. */
    static String id(CorpusRow r) {
        for (String flag : r.flags()) {
            if (flag.startsWith(ID_FLAG)) {
                return flag.substring(ID_FLAG.length());
            }
        }
        return r.id();
    }

    /** A row that will not be scored: one quarantined or dropped (a blank line) while reading. */
    static QuarantineRow notKept(Parsed p) {
        return p instanceof Parsed.Quarantined q ? q.row()
                : new QuarantineRow(p.source(), p.sourceRow(), "", ((Parsed.Dropped) p).reason());
    }

    /** A row read but left with nothing to score; {@code raw} is the normalised row as JSON. */
    static QuarantineRow unscorable(CorpusRow r, String why) {
        ObjectNode raw = JSON.createObjectNode();
        if (!id(r).equals(r.id())) {
            raw.put("id", id(r));
        }
        if (r.response().isEmpty()) {
            raw.put("text", r.prompt());
        } else {
            raw.put("prompt", r.prompt()).put("response", r.response());
        }
        return new QuarantineRow(r.source(), r.sourceRow(), raw.toString(), UNSCORABLE + why);
    }
}
