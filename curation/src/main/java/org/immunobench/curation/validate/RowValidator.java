package org.immunobench.curation.validate;

import org.immunobench.curation.corpus.CorpusRow;

import java.util.function.Supplier;

/**
 * Turns an adapter's {@link Candidate} into a corpus row, or says why not: the checks every source shares, after
 * the format-specific ones (syntax, types, missing fields) done while parsing.
 */
public final class RowValidator {
    private RowValidator() {
    }

    /**
     * Checks the raw row's length, runs {@code parse} (which throws {@link BadRow} on syntax, type or missing-field
     * problems) and validates what it returns. Never throws {@link BadRow}.
     *
     * @param raw the row as read, kept (truncated) in the quarantine
     */
    public static Parsed check(SourceContext ctx, long row, String raw, Supplier<Candidate> parse) {
        try {
            ctx.limits().checkRowLength(raw);
            return new Parsed.Kept(toRow(ctx, row, parse.get()));
        } catch (BadRow e) {
            return Parsed.quarantined(ctx, row, raw, e.reason());
        }
    }

    /** Normalises and checks a candidate; the id is the content hash of the normalised prompt and response. */
    public static CorpusRow toRow(SourceContext ctx, long row, Candidate c) {
        requireWellFormed(c.promptField(), c.prompt());
        requireWellFormed(c.responseField() == null ? "response" : c.responseField(), c.response());
        String prompt = TextNormaliser.normalise(c.prompt());
        if (prompt.isEmpty()) {
            throw new BadRow(c.promptField(), "empty after normalisation");
        }
        String response = TextNormaliser.normalise(c.response());
        if (c.responseRequired() && response.isEmpty()) {
            throw new BadRow(c.responseField(), "empty after normalisation");
        }
        String domain = c.domain() == null ? "" : TextNormaliser.normalise(c.domain());
        if (domain.isEmpty()) {
            throw new BadRow("domain", "empty");
        }
        if (!CorpusRow.KINDS.contains(c.kind())) {
            throw new BadRow("kind", "expected one of " + String.join(", ", CorpusRow.KINDS) + ", got '"
                    + c.kind() + "'");
        }
        CorpusRow r = CorpusRow.of(ctx.source(), row, ctx.split(), domain, c.kind(), prompt, response);
        for (String f : c.flags()) {
            r = r.withFlag(f);
        }
        return r;
    }

    /** JSON escapes such as {@code "\ud800"} decode to half a surrogate pair, which is no text at all. */
    static void requireWellFormed(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new BadRow(field, String.format("unpaired surrogate U+%04X at char %d", (int) c, i));
            }
        }
    }
}
