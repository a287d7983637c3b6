package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;

import java.util.List;

/**
 * A headerless one-column CSV read line by line (HEx-PHI): each line is one CSV record of exactly one field,
 * quoted when it holds a comma or quote. A quoted field that runs over a line break is quarantined, since lines
 * are parsed independently.
 */
public record SingleColumnCsvParser(SourceContext context, RecordMapper mapper, String column) implements LineParser {

    @Override
    public Parsed parse(String line, long row) {
        if (line.isBlank()) {
            return Parsed.dropped(context, row, JsonLinesParser.BLANK_LINE);
        }
        CsvHeader header = new CsvHeader(List.of(column));
        return RowValidator.check(context, row, line, () -> {
            List<String> values;
            try {
                values = CsvLine.parse(line, ',');
            } catch (BadRow e) {
                throw new BadRow(e.field(), e.problem() + " (rows of this file are single lines)");
            }
            if (values.size() != 1) {
                throw new BadRow("row", "expected 1 column, found " + values.size()
                        + " (a prompt with commas must be quoted)");
            }
            return mapper.map(new CsvFields(header, values));
        });
    }
}
