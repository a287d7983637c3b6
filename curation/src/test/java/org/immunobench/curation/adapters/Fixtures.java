package org.immunobench.curation.adapters;

import org.immunobench.curation.accounting.SourceCounts;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.readers.SourceReader;
import org.immunobench.curation.readers.SourceReaders;
import org.immunobench.curation.validate.Parsed;
import org.immunobench.curation.validate.SourceContext;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fixture paths and a read-everything helper for adapter tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** {@code fixtures/<relative>} on the test classpath. */
    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything a source yields, and its accounting. */
    public record Read(List<Parsed> outcomes, SourceCounts counts) {
        public List<CorpusRow> kept() {
            List<CorpusRow> rows = new ArrayList<>();
            for (Parsed p : outcomes) {
                if (p instanceof Parsed.Kept k) {
                    rows.add(k.row());
                }
            }
            return rows;
        }

        public Parsed row(long sourceRow) {
            return outcomes.stream().filter(p -> p.sourceRow() == sourceRow).findFirst().orElseThrow();
        }

        /** The quarantine reason, or the drop reason, of a row. */
        public String reason(long sourceRow) {
            Parsed p = row(sourceRow);
            if (p instanceof Parsed.Quarantined q) {
                return q.row().reason();
            }
            if (p instanceof Parsed.Dropped d) {
                return d.reason();
            }
            throw new AssertionError("row " + sourceRow + " was kept: " + p);
        }
    }

    public static Read read(SourceFormat format, Path path, SourceContext ctx, ColumnMapping mapping) {
        SourceSpec spec = new SourceSpec(ctx.source(), format, path.toString());
        List<Parsed> out = new ArrayList<>();
        try (SourceReader r = SourceReaders.open(spec, ctx, mapping)) {
            SourceCounts counts = r.drainTo(ctx.source(), out::add);
            return new Read(out, counts);
        }
    }
}
