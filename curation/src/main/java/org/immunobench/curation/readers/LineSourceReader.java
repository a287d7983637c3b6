package org.immunobench.curation.readers;

import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.InputStream;

/** Streams a line-oriented file through a {@link LineParser}, line bytes decoded strictly one line at a time. */
public final class LineSourceReader extends LookaheadSourceReader {
    private final RecordSplitter lines;
    private final LineParser parser;
    private final int headerLines;

    /** Reads the header (if the parser has one) now: a missing column fails here, naming {@code file}. */
    public LineSourceReader(InputStream in, String file, LineParser parser) {
        super(in);
        this.lines = new RecordSplitter(in, '\n', false, parser.context().limits().maxRowBytes());
        this.headerLines = parser.headerLines();
        LineParser p = parser;
        for (int i = 0; i < headerLines; i++) {
            if (!lines.next()) {
                throw new IllegalArgumentException(file + ": empty, expected a header line");
            }
            if (lines.overflowed()) {
                throw new IllegalArgumentException(file + ": header line is over max_row_chars");
            }
            String header;
            try {
                header = StrictUtf8.decode(lines.buffer(), 0, lines.length());
            } catch (BadRow e) {
                throw new IllegalArgumentException(file + ": header: " + e.problem());
            }
            p = p.withHeader(header, file);
        }
        this.parser = p;
    }

    @Override
    protected Parsed fetch() {
        if (!lines.next()) {
            return null;
        }
        read++;
        long row = read;
        return lines.overflowed()
                ? Parsed.quarantined(parser.context(), row, StrictUtf8.lenient(lines.buffer(), lines.length()),
                        parser.context().limits().overlongBytesReason(lines.bytes()))
                : parser.parse(lines.buffer(), lines.length(), row);
    }

}
