package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.StrictUtf8;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a CSV file with a header, whose quoted fields may span lines (HarmBench, AdvBench, generic CSV). Records
 * are cut from the raw bytes and decoded one by one, so invalid UTF-8 or broken quoting spoils one record; a quote
 * left open swallows the rest of the file into one quarantined record, whose reason says where it started.
 * Row numbers count data records from 1 (the header is not a row); reasons give the line a record starts on.
 */
public final class CsvSourceReader extends LookaheadSourceReader {
    private final RecordSplitter records;
    private final SourceContext ctx;
    private final RecordMapper mapper;
    private final char delimiter;
    private final CsvHeader header;

    /** Reads and checks the header now: a missing column fails here, naming the column and {@code file}. */
    public CsvSourceReader(InputStream in, String file, SourceContext ctx, RecordMapper mapper, char delimiter) {
        super(in);
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
    protected Parsed fetch() {
        if (!records.next()) {
            return null;
        }
        read++;
        return parseRecord(read);
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

}
