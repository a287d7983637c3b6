package org.immunobench.curation.readers;

import org.immunobench.curation.adapters.RecordMapper;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.RowValidator;
import org.immunobench.curation.validate.SourceContext;

/** JSONL: each line one JSON object; a blank line is dropped ("blank line"), anything else bad is quarantined. */
public record JsonLinesParser(SourceContext context, RecordMapper mapper) implements LineParser {
    public static final String BLANK_LINE = "blank line";

    @Override
    public Parsed parse(String line, long row) {
        if (line.isBlank()) {
            return Parsed.dropped(context, row, BLANK_LINE);
        }
        return RowValidator.check(context, row, line, () -> mapper.map(new JsonFields(JsonRows.parseObject(line))));
    }
}
