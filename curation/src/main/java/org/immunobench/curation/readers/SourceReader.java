package org.immunobench.curation.readers;

import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.accounting.SourceTally;
import org.immunobench.curation.validate.Parsed;

import java.io.Closeable;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Streams one source file (or a directory of them) as outcomes, one per record read, in file order. An I/O failure
 * is thrown ({@link java.io.UncheckedIOException}); bad rows never are.
 */
public interface SourceReader extends Iterator<Parsed>, Closeable {

    /** Records read so far: the rows in of the source's accounting (header lines not included). */
    long recordsRead();

    @Override
    void close();

    /** Reads to the end, handing each outcome to {@code sink}, and returns the checked accounting. */
    default SourceCounts drainTo(String source, Consumer<Parsed> sink) {
        SourceTally tally = new SourceTally(source);
        while (hasNext()) {
            Parsed p = next();
            tally.add(p);
            sink.accept(p);
        }
        return tally.toCounts(recordsRead());
    }
}
