package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * SST-2 (GLUE), either the TSV with header {@code sentence\tlabel} (no quoting; sentences are tokenised text) or
 * the Hugging Face Parquet shape {@code idx, sentence, label}. label 1 → response {@code positive}, 0 →
 * {@code negative}; anything else (the unlabelled test split uses -1) is quarantined. prompt =
 * {@link #PROMPT_PREFIX} + sentence; kind {@code benign}; domain {@code sst2}.
 */
public final class Sst2Adapter implements RecordMapper {
    public static final String DOMAIN = "sst2";
    public static final String PROMPT_PREFIX = "Is the sentiment of the following sentence positive or negative?\n\n";

    @Override
    public List<String> requiredColumns() {
        return List.of("sentence", "label");
    }

    @Override
    public Candidate map(Fields f) {
        String sentence = f.text("sentence");
        long label = f.integer("label");
        String response;
        if (label == 1) {
            response = "positive";
        } else if (label == 0) {
            response = "negative";
        } else {
            throw new BadRow("label", "expected 0 or 1, got " + label);
        }
        return Candidate.pair("sentence", PROMPT_PREFIX + sentence, "label", response, DOMAIN, CorpusRow.BENIGN);
    }
}
