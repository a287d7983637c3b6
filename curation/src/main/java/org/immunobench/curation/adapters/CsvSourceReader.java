package org.immunobench.curation.adapters;

import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams a CSV file with a header, whose quoted fields may span lines (HarmBench, AdvBench, generic CSV). Records
 * are cut from the raw bytes and decoded one by one, so invalid UTF-8 or broken quoting spoils one record; a quote
 * left open swallows the rest of the file into one quarantined record, whose reason says where it started.
 * Row numbers count data records from 1 (the header is not a row); reasons give the line a record starts on.
 */
public final class CsvSourceReader implements SourceReader {
    private final InputStream in;
    private final RecordSplitter records;
    private final SourceContext ctx;
    private final RecordMapper mapper;
    private final char delimiter;
    private final CsvHeader header;
    private long read;
    private Parsed pending;

    /** Reads and checks the header now: a missing column fails here, naming the column and {@code file}. */
    public CsvSourceReader(InputStream in, String file, SourceContext ctx, RecordMapper mapper, char delimiter) {
        this.in = in;
        this.ctx = ctx;
        this.mapper = mapper;
        this.delimiter = delimiter;
        this.records = new RecordSplitter(in, delimiter, true, ctx.limits().maxRowBytes());
        if (!records.next()) {
            throw new IllegalArgumentException(file + ": empty, expected a header with columns "
                    + mapper.requiredColumns());
        }
        List<String> names = new ArrayList<>();
        try {
            for (String n : CsvLine.parse(StrictUtf8.decode(records.buffer(), 0, records.length()), delimiter)) {
                names.add(n.strip());
            }
        } catch (BadRow e) {
            throw new IllegalArgumentException(file + ": header: " + e.problem());
        }
        this.header = CsvHeader.of(names, mapper.requiredColumns(), file);
    }

    @Override
    public boolean hasNext() {
        if (pending == null && records.next()) {
            read++;
            pending = parseRecord(read);
        }
        return pending != null;
    }

    private Parsed parseRecord(long row) {
        String at = " (record starts at line " + records.startLine() + ")";
        if (records.overflowed()) {
            return Parsed.quarantined(ctx, row, StrictUtf8.lenient(records.buffer(), records.length()),
                    ctx.limits().overlongBytesReason(records.bytes()) + at);
        }
        String text;
        try {
            text = StrictUtf8.decode(records.buffer(), 0, records.length());
        } catch (BadRow e) {
            return Parsed.quarantined(ctx, row, StrictUtf8.lenient(records.buffer(), records.length()),
                    e.reason() + at);
        }
        if (text.isBlank()) {
            return Parsed.dropped(ctx, row, JsonLinesParser.BLANK_LINE);
        }
        return RowValidator.check(ctx, row, text, () -> {
            List<String> values;
            try {
                values = CsvLine.parse(text, delimiter);
            } catch (BadRow e) {
                throw new BadRow(e.field(), e.problem() + at);
            }
            if (values.size() != header.size()) {
                throw new BadRow("row", "expected " + header.size() + " fields, found " + values.size() + at);
            }
            return mapper.map(new CsvFields(header, values));
        });
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
