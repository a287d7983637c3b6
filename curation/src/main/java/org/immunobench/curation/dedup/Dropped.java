package org.immunobench.curation.dedup;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The shape every dedup stage gives its dropped rows: the input row unchanged plus {@code reason}
 * ({@code exact_duplicate_of:<id>}, {@code near_duplicate_of:<id>}, {@code contaminates:<id>}) and {@code jaccard}
 * (exact shingle Jaccard with the row named in the reason; 1.0 for exact duplicates), so the stages' outputs union
 * and the caller can count dropped-with-reason.
 */
public final class Dropped {
    public static final String REASON = "reason";
    public static final String JACCARD = "jaccard";
    public static final String EXACT_DUPLICATE_OF = "exact_duplicate_of:";
    public static final String NEAR_DUPLICATE_OF = "near_duplicate_of:";
    public static final String CONTAMINATES = "contaminates:";

    private Dropped() {
    }

    /** {@code rows} joined with {@code matches} (id, _reason, _jaccard; one match per id) in the dropped shape. */
    static Dataset<Row> of(Dataset<Row> rows, Dataset<Row> matches) {
        Dataset<Row> joined = rows.join(matches, "id");
        List<Column> cols = new ArrayList<>();
        for (String c : rows.columns()) {
            cols.add(col(c));
        }
        cols.add(col("_reason").as(REASON));
        cols.add(col("_jaccard").as(JACCARD));
        return joined.select(cols.toArray(Column[]::new));
    }
}
