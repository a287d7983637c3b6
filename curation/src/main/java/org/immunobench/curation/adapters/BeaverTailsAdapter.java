package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BeaverTails (PKU-Alignment; splits 30k_train, 30k_test, 330k_train), JSONL, one QA pair per line:
 * {@code prompt} (string), {@code response} (string), {@code category} (object: harm category name → boolean,
 * 14 names such as {@code animal_abuse}, {@code violence,aiding_and_abetting,incitement}), {@code is_safe} (boolean).
 *
 * <ul>
 *   <li>{@code is_safe: false} → kind {@code harmful}; domain = the first true category in name order (the
 *       dataset's own order of its 14 names is alphabetical, so this is it); every other true category becomes a
 *       flag {@code also_domain:<name>}, so held-out-domain splits can exclude multi-label rows. Category names
 *       contain commas, which is why they are not joined into one domain string.</li>
 *   <li>{@code is_safe: true} → kind {@code benign}, domain {@code beavertails}. A response that refuses stays
 *       benign: telling refusals from answers needs a judge, not an adapter.</li>
 *   <li>{@code is_safe} contradicting {@code category} (unsafe with no category true, or safe with one true) is
 *       quarantined: the dataset defines one as the negation of the other.</li>
 * </ul>
 */
public final class BeaverTailsAdapter implements RecordMapper {
    public static final String SAFE_DOMAIN = "beavertails";
    public static final String ALSO_DOMAIN_FLAG = "also_domain:";

    @Override
    public List<String> requiredColumns() {
        return List.of("prompt", "response", "category", "is_safe");
    }

    @Override
    public Candidate map(Fields f) {
        String prompt = f.string("prompt");
        String response = f.string("response");
        boolean safe = f.bool("is_safe");
        List<String> harms = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : f.booleanMap("category").entrySet()) {
            if (e.getValue()) {
                harms.add(e.getKey());
            }
        }
        if (safe) {
            if (!harms.isEmpty()) {
                throw new BadRow("category", "is_safe is true but " + harms + " are true");
            }
            return Candidate.pair("prompt", prompt, "response", response, SAFE_DOMAIN, CorpusRow.BENIGN);
        }
        if (harms.isEmpty()) {
            throw new BadRow("category", "is_safe is false but no category is true");
        }
        List<String> flags = new ArrayList<>();
        for (String h : harms.subList(1, harms.size())) {
            flags.add(ALSO_DOMAIN_FLAG + h);
        }
        return Candidate.pair("prompt", prompt, "response", response, harms.get(0), CorpusRow.HARMFUL)
                .withFlags(flags);
    }
}
