package org.immunobench.curation.corpus;

import java.io.Serializable;

/**
 * A source row that could not enter the corpus (or, in the {@code score} job, be scored), and why.
 *
 * @param source source name ({@code score}: the input path)
 * @param sourceRow 1-based row in the source file
 * @param raw the raw row, truncated to {@link #MAX_RAW} characters (never inside a surrogate pair)
 * @param reason human-readable reason naming the field at fault
 */
public record QuarantineRow(String source, long sourceRow, String raw, String reason) implements Serializable {
    public static final int MAX_RAW = 500;

    public QuarantineRow {
        raw = truncate(raw == null ? "" : raw);
    }

    private static String truncate(String raw) {
        if (raw.length() <= MAX_RAW) {
            return raw;
        }
        // Half a surrogate pair is no text: Parquet's UTF-8 encoder would write a replacement character.
        return raw.substring(0, Character.isHighSurrogate(raw.charAt(MAX_RAW - 1)) ? MAX_RAW - 1 : MAX_RAW);
    }
}
