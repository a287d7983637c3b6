package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * Databricks Dolly {@code databricks-dolly-15k.jsonl}: one object per line, {@code instruction}, {@code context}
 * (reference text, often empty), {@code response}, {@code category} (open_qa, closed_qa, brainstorming, …).
 * prompt = instruction, plus {@code "\n\n" + context} when context is non-empty; response = response; kind
 * {@code benign}; domain = category.
 */
public final class DollyAdapter implements RecordMapper {

    @Override
    public List<String> requiredColumns() {
        return List.of("instruction", "context", "response", "category");
    }

    @Override
    public Candidate map(Fields f) {
        String instruction = f.text("instruction");
        String context = f.string("context");
        String prompt = context.isBlank() ? instruction : instruction + "\n\n" + context;
        String response = f.string("response");
        return Candidate.pair("instruction", prompt, "response", response, f.text("category"), CorpusRow.BENIGN);
    }
}
