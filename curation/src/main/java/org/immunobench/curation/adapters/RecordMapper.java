package org.immunobench.curation.adapters;

import org.immunobench.curation.validate.BadRow;
import org.immunobench.curation.validate.Candidate;

import java.io.Serializable;
import java.util.List;

/**
 * The dataset-specific half of an adapter: which source fields make the corpus fields. Format-free (it sees
 * {@link Fields}); readers supply the format half. Serializable because Spark ships it to executors.
 */
public interface RecordMapper extends Serializable {

    /** Columns a tabular file (CSV, TSV, Parquet) must have; checked against its header before any row is read. */
    List<String> requiredColumns();

    /** Throws {@link BadRow} naming the field for a missing field, a wrong type or a meaningless value. */
    Candidate map(Fields fields);
}
