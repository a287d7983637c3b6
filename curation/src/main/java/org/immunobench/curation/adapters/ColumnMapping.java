package org.immunobench.curation.adapters;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.immunobench.curation.corpus.CorpusRow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the corpus fields of a generic JSONL / CSV / Parquet source come from (config key {@code mapping}).
 * The split is not here: like every source's, it comes from the source's config ({@code SourceContext}).
 *
 * @param prompt column holding the prompt
 * @param response column holding the response, or null when the source has none (response left empty)
 * @param domain a column, or one domain for every row
 * @param kind a column whose values are {@code harmful|refusal|benign}, or one kind for every row
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ColumnMapping(String prompt, String response, Value domain, Value kind) implements Serializable {

    /** A column name or a constant; in a config {@code NAME}, {@code {column: NAME}} or {@code {constant: VALUE}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Value(String column, String constant) implements Serializable {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Value {
            if ((column == null) == (constant == null)) {
                throw new IllegalArgumentException("give either a column or a constant, not "
                        + (column == null ? "neither" : "both"));
            }
            if (column != null && column.isBlank()) {
                throw new IllegalArgumentException("column name is empty");
            }
            if (constant != null && constant.isBlank()) {
                throw new IllegalArgumentException("constant is empty");
            }
        }

        /** Also what a bare string in a config is: a column name. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Value column(String name) {
            return new Value(name, null);
        }

        public static Value constant(String value) {
            return new Value(null, value);
        }

        @JsonIgnore
        public boolean isColumn() {
            return column != null;
        }
    }

    public ColumnMapping {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt: missing (the column holding the prompt)");
        }
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt: column name is empty");
        }
        if (response != null && response.isBlank()) {
            throw new IllegalArgumentException("response: column name is empty (leave it out for none)");
        }
        if (domain == null) {
            throw new IllegalArgumentException("domain: missing (a column name, {column: NAME} or {constant: VALUE})");
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind: missing (a column name, {column: NAME} or {constant: VALUE})");
        }
        if (!kind.isColumn() && !CorpusRow.KINDS.contains(kind.constant())) {
            throw new IllegalArgumentException("kind: constant must be one of " + CorpusRow.KINDS + ", got '"
                    + kind.constant() + "'");
        }
    }

    /** Columns named like the corpus's own: reads files already in corpus shape (e.g. the toy world's). */
    public static ColumnMapping corpusColumns() {
        return new ColumnMapping("prompt", "response", Value.column("domain"), Value.column("kind"));
    }

    /** Every column the mapping reads, in mapping order. */
    public List<String> columns() {
        List<String> c = new ArrayList<>();
        c.add(prompt);
        if (response != null) {
            c.add(response);
        }
        if (domain.isColumn()) {
            c.add(domain.column());
        }
        if (kind.isColumn()) {
            c.add(kind.column());
        }
        return c;
    }
}
