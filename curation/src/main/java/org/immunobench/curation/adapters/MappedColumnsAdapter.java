package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * Any JSONL / CSV / Parquet file whose columns a {@link ColumnMapping} names. Tabular files are checked for every
 * mapped column before reading (the error names the column and the file); a JSONL row without one is quarantined.
 * The response may be empty (plain prompts); the prompt may not.
 */
public final class MappedColumnsAdapter implements RecordMapper {
    private final ColumnMapping mapping;

    public MappedColumnsAdapter(ColumnMapping mapping) {
        if (mapping == null) {
            throw new IllegalArgumentException("a generic source needs a column mapping");
        }
        this.mapping = mapping;
    }

    @Override
    public List<String> requiredColumns() {
        return mapping.columns();
    }

    @Override
    public Candidate map(Fields f) {
        String prompt = f.string(mapping.prompt());
        String response = mapping.response() == null ? "" : f.string(mapping.response());
        String domain = mapping.domain().isColumn() ? f.text(mapping.domain().column()) : mapping.domain().constant();
        String kind = mapping.kind().isColumn() ? f.string(mapping.kind().column()).strip() : mapping.kind().constant();
        if (!CorpusRow.KINDS.contains(kind)) {
            throw new BadRow(mapping.kind().column(), "expected one of " + String.join(", ", CorpusRow.KINDS)
                    + ", got '" + kind + "'");
        }
        return new Candidate(mapping.prompt(), prompt, mapping.response(), response, false, domain, kind, List.of());
    }
}
