package org.immunobench.curation.validate;

import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.QuarantineRow;

import java.io.Serializable;

/**
 * What one source row becomes: kept, quarantined (bad input, written out with its reason) or dropped (not bad, not
 * wanted, e.g. a blank line; counted by reason). Every row read yields exactly one of these, which is what makes
 * {@link SourceCounts}' equation hold.
 */
public sealed interface Parsed extends Serializable permits Parsed.Kept, Parsed.Quarantined, Parsed.Dropped {

    String source();

    long sourceRow();

    record Kept(CorpusRow row) implements Parsed {
        @Override
        public String source() {
            return row.source();
        }

        @Override
        public long sourceRow() {
            return row.sourceRow();
        }
    }

    record Quarantined(QuarantineRow row) implements Parsed {
        @Override
        public String source() {
            return row.source();
        }

        @Override
        public long sourceRow() {
            return row.sourceRow();
        }
    }

    record Dropped(String source, long sourceRow, String reason) implements Parsed {
    }

    static Parsed quarantined(SourceContext ctx, long row, String raw, String reason) {
        return new Quarantined(new QuarantineRow(ctx.source(), row, raw, reason));
    }

    static Parsed dropped(SourceContext ctx, long row, String reason) {
        return new Dropped(ctx.source(), row, reason);
    }
}
