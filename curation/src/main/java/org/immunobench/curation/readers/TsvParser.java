package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tab-separated lines under a one-line header, without quoting (GLUE's TSVs: a quote is just a character).
 * Create it without a header and call {@link #withHeader} with the file's first line.
 */
public final class TsvParser implements LineParser {
    private final SourceContext context;
    private final RecordMapper mapper;
    private final CsvHeader header;

    public TsvParser(SourceContext context, RecordMapper mapper) {
        this(context, mapper, null);
    }

    private TsvParser(SourceContext context, RecordMapper mapper, CsvHeader header) {
        this.context = context;
        this.mapper = mapper;
        this.header = header;
    }

    @Override
    public SourceContext context() {
        return context;
    }

    @Override
    public int headerLines() {
        return 1;
    }

    @Override
    public TsvParser withHeader(String headerLine, String file) {
        String h = headerLine.startsWith("\uFEFF") ? headerLine.substring(1) : headerLine;
        List<String> names = new ArrayList<>();
        for (String n : h.split("\t", -1)) {
            names.add(n.strip());
        }
        return new TsvParser(context, mapper, CsvHeader.of(names, mapper.requiredColumns(), file));
    }

    @Override
    public Parsed parse(String line, long row) {
        if (header == null) {
            throw new IllegalStateException("TSV header not read yet: call withHeader first");
        }
        if (line.isBlank()) {
            return Parsed.dropped(context, row, JsonLinesParser.BLANK_LINE);
        }
        return RowValidator.check(context, row, line, () -> {
            String[] values = line.split("\t", -1);
            if (values.length != header.size()) {
                throw new BadRow("row", "expected " + header.size() + " tab-separated fields, found "
                        + values.length);
            }
            return mapper.map(new CsvFields(header, Arrays.asList(values)));
        });
    }
}
