package org.immunobench.curation.validate;

import java.io.Serializable;

/**
 * Per-row limits of the read + validate stage.
 *
 * @param maxRowChars a raw row (JSONL line, CSV record, JSON array element, Parquet row as JSON) longer than this
 *     many UTF-16 chars is quarantined before it is parsed
 */
public record ValidationLimits(Integer maxRowChars) implements Serializable {
    /** 65,536 chars: keeps whole HarmBench context strings and Dolly reference passages (a few thousand each). */
    public static final ValidationLimits DEFAULT = new ValidationLimits(null);

    /** A null limit takes the default. */
    public ValidationLimits {
        maxRowChars = maxRowChars == null ? 65_536 : maxRowChars;
        if (maxRowChars <= 0) {
            throw new IllegalArgumentException("max_row_chars: must be positive, got " + maxRowChars);
        }
    }

    /**
     * Bytes a reader buffers for one row before giving up on it: a char takes at most 3 UTF-8 bytes (4 for a
     * surrogate pair, which is 2 chars), so a row past this many bytes is over {@link #maxRowChars} whatever it
     * decodes to.
     */
    public long maxRowBytes() {
        return 3L * maxRowChars + 3;
    }

    public void checkRowLength(String raw) {
        if (raw.length() > maxRowChars) {
            throw new BadRow("row", raw.length() + " chars, over max_row_chars " + maxRowChars);
        }
    }

    /** The reason for a row a reader stopped buffering at {@link #maxRowBytes}. */
    public String overlongBytesReason(long bytes) {
        return "row: " + bytes + " bytes, over max_row_chars " + maxRowChars;
    }
}
