package org.immunobench.curation.validate;

import java.util.List;

/**
 * The corpus fields an adapter pulled out of one source row, before normalisation and the checks of
 * {@link RowValidator}. Field names are the source's own, so quarantine reasons point at what the user can see.
 *
 * @param promptField source field the prompt came from (the main one when the prompt joins several)
 * @param responseField source field of the response, or null when the dataset has none
 * @param responseRequired whether an empty response makes the row bad
 * @param flags corpus flags the adapter sets (e.g. extra harm categories)
 */
public record Candidate(String promptField, String prompt, String responseField, String response,
        boolean responseRequired, String domain, String kind, List<String> flags) {

    public Candidate {
        response = response == null ? "" : response;
        flags = flags == null ? List.of() : List.copyOf(flags);
    }

    /** A prompt/response pair where both are required. */
    public static Candidate pair(String promptField, String prompt, String responseField, String response,
            String domain, String kind) {
        return new Candidate(promptField, prompt, responseField, response, true, domain, kind, List.of());
    }

    /** A prompt with no response in the source (HarmBench behaviours, HEx-PHI prompts). */
    public static Candidate promptOnly(String promptField, String prompt, String domain, String kind) {
        return new Candidate(promptField, prompt, null, "", false, domain, kind, List.of());
    }

    public Candidate withFlags(List<String> f) {
        return new Candidate(promptField, prompt, responseField, response, responseRequired, domain, kind, f);
    }
}
