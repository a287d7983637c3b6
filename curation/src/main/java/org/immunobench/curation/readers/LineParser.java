package org.immunobench.curation.readers;

import org.immunobench.curation.corpus.QuarantineRow;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.Serializable;

/**
 * Parses one line of a line-oriented source (JSONL, headerless one-column CSV, TSV) on its own: a pure function
 * of (line, row number), so Spark can run it over {@code zipWithIndex} of a file's lines.
 *
 * <p>Row numbers: the 1-based line number minus the header lines, i.e. for Spark's 0-based line index
 * {@code i}: {@code row = i + 1 - headerLines()}, skipping {@code i < headerLines()}.
 */
public interface LineParser extends Serializable {

    SourceContext context();

    /** Lines at the top of each file that are a header, not rows (0 or 1). */
    default int headerLines() {
        return 0;
    }

    /**
     * This parser once the file's header is known; throws {@link IllegalArgumentException} naming the file and
     * the column when the header lacks one.
     */
    default LineParser withHeader(String headerLine, String file) {
        return this;
    }

    /** A decoded line (no line break) → one outcome; never throws for bad input. */
    Parsed parse(String line, long row);

    /**
     * A line as raw bytes: decoded strictly first, so invalid UTF-8 is quarantined instead of being replaced. A
     * leading BOM is skipped. A line past {@code maxRowBytes} is quarantined undecoded, with the same reason the
     * streaming reader gives it.
     */
    default Parsed parse(byte[] bytes, int length, long row) {
        if (length > context().limits().maxRowBytes()) {
            String excerpt = StrictUtf8.lenient(bytes, Math.min(length, QuarantineRow.MAX_RAW * 4));
            return Parsed.quarantined(context(), row, excerpt, context().limits().overlongBytesReason(length));
        }
        int off = StrictUtf8.startsWithBom(bytes, length) ? 3 : 0;
        String line;
        try {
            line = StrictUtf8.decode(bytes, off, length - off);
        } catch (BadRow e) {
            return Parsed.quarantined(context(), row, StrictUtf8.lenient(bytes, length), e.reason());
        }
        return parse(line, row);
    }
}
