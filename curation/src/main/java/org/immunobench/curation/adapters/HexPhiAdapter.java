package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * HEx-PHI (Qi et al. 2023, 330 prompts in 11 categories), one CSV file per category ({@code category_1.csv} …
 * {@code category_11.csv}), no header, one prompt per line (quoted when it holds a comma). prompt = the single
 * column, response empty, kind {@code harmful}, domain = the file name without extension, e.g.
 * {@code category_3}. (The README's category titles are not mapped: the files do not carry them.)
 */
public final class HexPhiAdapter implements RecordMapper {
    /** The name a headerless row's only column is read under. */
    public static final String COLUMN = "prompt";

    private final String domain;

    public HexPhiAdapter(String domain) {
        if (domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("HEx-PHI domain is empty");
        }
        this.domain = domain;
    }

    /** The adapter for one category file: {@code .../category_3.csv} (optionally {@code .gz}) → {@code category_3}. */
    public static HexPhiAdapter forFile(String fileName) {
        String base = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        String stem = base.replaceFirst("(?i)\\.gz$", "").replaceFirst("\\.[^.]*$", "");
        if (stem.isBlank()) {
            throw new IllegalArgumentException("cannot take a HEx-PHI category from file name '" + fileName + "'");
        }
        return new HexPhiAdapter(stem);
    }

    public String domain() {
        return domain;
    }

    @Override
    public List<String> requiredColumns() {
        return List.of(COLUMN);
    }

    @Override
    public Candidate map(Fields f) {
        return Candidate.promptOnly(COLUMN, f.string(COLUMN), domain, CorpusRow.HARMFUL);
    }
}
