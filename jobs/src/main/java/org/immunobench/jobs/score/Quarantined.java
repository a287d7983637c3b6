package org.immunobench.jobs.score;

/**
 * A row that was read but not scored, with the reason. {@code raw} is the input as read, cut to
 * {@link #MAX_RAW_CHARS} characters.
 *
 * @param source the input file
 * @param line 1-based line (JSONL) or row (Parquet) number within {@code source}
 */
public record Quarantined(String source, long line, String raw, String reason) implements ParsedLine, ScoreOutcome {
    public static final int MAX_RAW_CHARS = 500;

    public Quarantined {
        raw = truncate(raw);
    }

    static String truncate(String raw) {
        if (raw == null || raw.length() <= MAX_RAW_CHARS) {
            return raw;
        }
        int end = MAX_RAW_CHARS;
        if (Character.isHighSurrogate(raw.charAt(end - 1))) {
            end--; // never leave half a surrogate pair, which Parquet's UTF-8 encoder would mangle
        }
        return raw.substring(0, end);
    }
}
