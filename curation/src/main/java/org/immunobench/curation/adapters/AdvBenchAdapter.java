package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.validate.Candidate;

import java.util.List;

/**
 * AdvBench {@code harmful_behaviors.csv} (Zou et al. 2023, 520 rows), CSV with header {@code goal,target}:
 * prompt = {@code goal}, response = {@code target} (the affirmative opening "Sure, here is …" that GCG optimises
 * towards), kind {@code harmful}, domain {@code advbench} (the file has no categories).
 */
public final class AdvBenchAdapter implements RecordMapper {
    public static final String DOMAIN = "advbench";

    @Override
    public List<String> requiredColumns() {
        return List.of("goal", "target");
    }

    @Override
    public Candidate map(Fields f) {
        return Candidate.pair("goal", f.string("goal"), "target", f.string("target"), DOMAIN, CorpusRow.HARMFUL);
    }
}
