package org.immunobench.curation.readers;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Cuts a byte stream into records without decoding it, so a bad UTF-8 sequence spoils only its own record. Line
 * breaks are LF, CR or CRLF (as Hadoop's {@code LineReader} has them, so both read paths number lines alike); a
 * final line break does not start an empty record; a leading UTF-8 BOM is skipped. With {@code quoted}, a line
 * break inside a double-quoted CSV field does not end the record (UTF-8 never uses ASCII byte values inside a
 * multi-byte character, so quotes, delimiters and line breaks can be found in the raw bytes).
 *
 * <p>A record longer than {@code maxBytes} is counted to its end but only its first {@code maxBytes} are kept.
 */
final class RecordSplitter {
    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_SEEN = 3;

    private final InputStream in;
    private final int delimiter;
    private final boolean quoted;
    private final long maxBytes;
    private byte[] buf = new byte[1024];
    private int length;
    private long bytes;
    private long startLine;
    private long line = 1;
    private boolean lastWasCr;
    private boolean eof;

    RecordSplitter(InputStream raw, char delimiter, boolean quoted, long maxBytes) {
        this.in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 1 << 16);
        this.delimiter = delimiter;
        this.quoted = quoted;
        this.maxBytes = maxBytes;
        try {
            in.mark(3);
            byte[] head = in.readNBytes(3);
            if (!(head.length == 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB
                    && (head[2] & 0xFF) == 0xBF)) {
                in.reset();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Advances to the next record; false at the end of the stream. */
    boolean next() {
        try {
            return advance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean advance() throws IOException {
        if (eof) {
            return false;
        }
        int b = in.read();
        if (b == '\n' && lastWasCr) {
            b = in.read();
        }
        lastWasCr = false;
        if (b < 0) {
            eof = true;
            return false;
        }
        length = 0;
        bytes = 0;
        startLine = line;
        int state = FIELD_START;
        while (true) {
            if (b < 0) {
                eof = true;
                return true;
            }
            if (b == '\r' || b == '\n') {
                if (!(b == '\n' && lastWasCr)) {
                    line++;
                }
                lastWasCr = b == '\r';
                if (state != QUOTED) {
                    return true;
                }
            } else {
                lastWasCr = false;
            }
            if (quoted) {
                state = step(state, b);
            }
            append(b);
            b = in.read();
        }
    }

    private int step(int state, int b) {
        switch (state) {
            case FIELD_START:
                return b == '"' ? QUOTED : b == delimiter ? FIELD_START : UNQUOTED;
            case UNQUOTED:
                return b == delimiter ? FIELD_START : UNQUOTED;
            case QUOTED:
                return b == '"' ? QUOTE_SEEN : QUOTED;
            default:
                return b == '"' ? QUOTED : b == delimiter ? FIELD_START : UNQUOTED;
        }
    }

    private void append(int b) {
        bytes++;
        if (length >= maxBytes) {
            return;
        }
        if (length == buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max(2L * buf.length, 16), Math.max(maxBytes, 16)));
        }
        buf[length++] = (byte) b;
    }

    /** The current record's kept bytes (valid up to {@link #length}). */
    byte[] buffer() {
        return buf;
    }

    int length() {
        return length;
    }

    /** The current record's full size, including bytes not kept. */
    long bytes() {
        return bytes;
    }

    boolean overflowed() {
        return bytes > length;
    }

    /** 1-based line on which the current record starts. */
    long startLine() {
        return startLine;
    }
}
