package org.immunobench.curation.validate;

import org.immunobench.curation.corpus.Splits;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the caller's config says about one source: its name (the corpus {@code source} column), the split its rows
 * go to, and the validation limits. Adapters never pick a split themselves.
 */
public record SourceContext(String source, String split, ValidationLimits limits) implements Serializable {
    public SourceContext {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source name is empty");
        }
        if (!Splits.ALL.contains(split)) {
            throw new IllegalArgumentException("source '" + source + "': split must be one of " + Splits.ALL
                    + ", got '" + split + "'");
        }
        Objects.requireNonNull(limits, "limits");
    }

    public static SourceContext of(String source, String split) {
        return new SourceContext(source, split, ValidationLimits.DEFAULT);
    }
}
