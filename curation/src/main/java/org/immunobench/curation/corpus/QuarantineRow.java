package org.immunobench.curation.corpus;

import java.io.Serializable;

/**
 * A source row that could not enter the corpus, and why.
 *
 * @param source source name
 * @param sourceRow 1-based row in the source file
 * @param raw the raw row, truncated to {@link #MAX_RAW} characters
 * @param reason human-readable reason naming the field at fault
 */
public record QuarantineRow(String source, long sourceRow, String raw, String reason) implements Serializable {
    public static final int MAX_RAW = 500;

    public QuarantineRow {
        raw = raw == null ? "" : raw.length() > MAX_RAW ? raw.substring(0, MAX_RAW) : raw;
    }
}
