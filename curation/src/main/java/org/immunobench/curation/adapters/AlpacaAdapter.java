package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * Stanford Alpaca {@code alpaca_data.json} (52k rows): one JSON array of objects {@code instruction},
 * {@code input}, {@code output} (all strings; {@code input} often empty). prompt = instruction, plus
 * {@code "\n\n" + input} when input is non-empty; response = output; kind {@code benign}, domain {@code alpaca}.
 * Row numbers are array index + 1.
 */
public final class AlpacaAdapter implements RecordMapper {
    public static final String DOMAIN = "alpaca";

    @Override
    public List<String> requiredColumns() {
        return List.of("instruction", "input", "output");
    }

    @Override
    public Candidate map(Fields f) {
        String instruction = f.text("instruction");
        String input = f.string("input");
        String prompt = input.isBlank() ? instruction : instruction + "\n\n" + input;
        return Candidate.pair("instruction", prompt, "output", f.string("output"), DOMAIN, CorpusRow.BENIGN);
    }
}
