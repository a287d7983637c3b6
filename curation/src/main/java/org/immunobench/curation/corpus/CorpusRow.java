package org.immunobench.curation.corpus;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One row of the corpus contract (docs/data-contracts.md, corpus): a prompt/response pair (or a plain text in
 * {@code prompt} with an empty response for benign documents), where it came from, what it is, and its perplexity
 * signals once scored.
 *
 * @param id stable content hash ({@link ContentHash#of})
 * @param source dataset or adapter name, e.g. {@code beavertails}, {@code toyworld}
 * @param sourceRow 1-based row (line, record) in the source file
 * @param split one of {@link Splits}
 * @param domain harm category or benign task
 * @param kind {@code harmful} | {@code refusal} | {@code benign}
 * @param prompt the user turn
 * @param response the assistant turn, may be empty
 * @param nTokens tokens scored under the reference model (response tokens only when there is a response, as in
 *     the score job), null until scored
 * @param ppl response perplexity (or text perplexity when there is no response), null until scored
 * @param pplBucket perplexity bucket label, null until bucketed
 * @param flags free-form markers, e.g. {@code also_domain:<name>}, {@code harmbench_id:<id>}
 */
public record CorpusRow(String id, String source, long sourceRow, String split, String domain, String kind,
        String prompt, String response, Integer nTokens, Double ppl, String pplBucket, List<String> flags)
        implements Serializable {

    public static final String HARMFUL = "harmful";
    public static final String REFUSAL = "refusal";
    public static final String BENIGN = "benign";
    public static final List<String> KINDS = List.of(HARMFUL, REFUSAL, BENIGN);

    public CorpusRow {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(prompt, "prompt");
        response = response == null ? "" : response;
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be one of " + KINDS + ", got '" + kind + "'");
        }
        flags = flags == null ? List.of() : List.copyOf(flags);
    }

    /** A new unscored row; the id is the content hash of prompt and response. */
    public static CorpusRow of(String source, long sourceRow, String split, String domain, String kind,
            String prompt, String response) {
        return new CorpusRow(ContentHash.of(prompt, response), source, sourceRow, split, domain, kind, prompt,
                response, null, null, null, List.of());
    }

    public CorpusRow withSplit(String s) {
        return new CorpusRow(id, source, sourceRow, s, domain, kind, prompt, response, nTokens, ppl, pplBucket,
                flags);
    }

    public CorpusRow withScore(int tokens, double perplexity) {
        return new CorpusRow(id, source, sourceRow, split, domain, kind, prompt, response, tokens, perplexity,
                pplBucket, flags);
    }

    public CorpusRow withBucket(String bucket) {
        return new CorpusRow(id, source, sourceRow, split, domain, kind, prompt, response, nTokens, ppl, bucket,
                flags);
    }

    public CorpusRow withFlag(String flag) {
        List<String> f = new java.util.ArrayList<>(flags);
        f.add(flag);
        return new CorpusRow(id, source, sourceRow, split, domain, kind, prompt, response, nTokens, ppl, pplBucket,
                f);
    }
}
