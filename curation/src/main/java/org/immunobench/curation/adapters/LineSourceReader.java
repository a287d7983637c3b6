package org.immunobench.curation.adapters;

import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/** Streams a line-oriented file through a {@link LineParser}, line bytes decoded strictly one line at a time. */
public final class LineSourceReader implements SourceReader {
    private final InputStream in;
    private final RecordSplitter lines;
    private final LineParser parser;
    private final int headerLines;
    private long read;
    private Parsed pending;

    /** Reads the header (if the parser has one) now: a missing column fails here, naming {@code file}. */
    public LineSourceReader(InputStream in, String file, LineParser parser) {
        this.in = in;
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
    public boolean hasNext() {
        if (pending == null && lines.next()) {
            read++;
            long row = read;
            pending = lines.overflowed()
                    ? Parsed.quarantined(parser.context(), row, StrictUtf8.lenient(lines.buffer(), lines.length()),
                            parser.context().limits().overlongBytesReason(lines.bytes()))
                    : parser.parse(lines.buffer(), lines.length(), row);
        }
        return pending != null;
    }

    @Override
    public Parsed next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Parsed p = pending;
        pending = null;
        return p;
    }

    @Override
    public long recordsRead() {
        return read;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
