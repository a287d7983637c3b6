package org.immunobench.curation.readers;

import org.immunobench.curation.validate.Parsed;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/**
 * The iterator half every {@link SourceReader} shares: one record read ahead, the count of records read, and
 * closing the underlying input. Subclasses only say how to read the next record.
 */
abstract class LookaheadSourceReader implements SourceReader {
    private final Closeable input;
    private Parsed pending;
    /** Records read so far; subclasses advance it as they read and use it as the 1-based row number. */
    protected long read;

    LookaheadSourceReader(Closeable input) {
        this.input = input;
    }

    /** The next record, or null at the end of the input; called only when nothing is pending. */
    protected abstract Parsed fetch() throws IOException;

    @Override
    public final boolean hasNext() {
        if (pending == null) {
            try {
                pending = fetch();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pending != null;
    }

    @Override
    public final Parsed next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Parsed p = pending;
        pending = null;
        return p;
    }

    @Override
    public final long recordsRead() {
        return read;
    }

    @Override
    public void close() {
        try {
            input.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
