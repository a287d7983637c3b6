package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.Candidate;

import java.util.ArrayList;
import java.util.List;

/**
 * HarmBench behaviours CSV (e.g. {@code harmbench_behaviors_text_all.csv}), header
 * {@code Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID}; ContextString holds whole
 * documents, so records span lines and carry quoted commas and quotes.
 *
 * <p>prompt = {@code ContextString + "\n\n---\n\n" + Behavior} when there is a context (HarmBench's own layout
 * for contextual behaviours), else {@code Behavior}; response empty (HarmBench ships no targets here); domain =
 * {@code SemanticCategory}; kind {@code harmful}. Flags keep {@code harmbench_id:<BehaviorID>} and
 * {@code functional_category:<FunctionalCategory>}: copyright behaviours need a hash judge, not a classifier.
 */
public final class HarmBenchAdapter implements RecordMapper {
    public static final String CONTEXT_SEPARATOR = "\n\n---\n\n";
    public static final String ID_FLAG = "harmbench_id:";
    public static final String FUNCTIONAL_FLAG = "functional_category:";

    @Override
    public List<String> requiredColumns() {
        return List.of("Behavior", "FunctionalCategory", "SemanticCategory", "ContextString", "BehaviorID");
    }

    @Override
    public Candidate map(Fields f) {
        String behavior = f.text("Behavior");
        String context = f.string("ContextString");
        String prompt = context.isBlank() ? behavior : context + CONTEXT_SEPARATOR + behavior;
        String domain = f.text("SemanticCategory");
        List<String> flags = new ArrayList<>();
        String id = f.string("BehaviorID").strip();
        if (!id.isEmpty()) {
            flags.add(ID_FLAG + id);
        }
        String functional = f.string("FunctionalCategory").strip();
        if (!functional.isEmpty()) {
            flags.add(FUNCTIONAL_FLAG + functional);
        }
        return Candidate.promptOnly("Behavior", prompt, domain, CorpusRow.HARMFUL).withFlags(flags);
    }
}
