package org.immunobench.curation.accounting;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring_index;

/**
 * {@code OUT/dropped}: one row per source row the curate job dropped on purpose, with the stage and the reason. Rows
 * dropped while reading (blank lines) have no id yet. A reason's category — what the report counts — is the text
 * before its first ':' ({@code exact_duplicate_of}, {@code contaminates}, {@code keep_band[10,90]},
 * {@code blank line}).
 */
public final class DroppedRows {
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, true)
            .add("source", DataTypes.StringType, false)
            .add("source_row", DataTypes.LongType, false)
            .add("stage", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false);

    private DroppedRows() {
    }

    /** Dedup-shaped or any rows with id, source, source_row and a reason column, as dropped rows of {@code stage}. */
    public static Dataset<Row> of(Dataset<Row> rows, String reasonColumn, String stage) {
        return rows.select(col("id"), col("source"), col("source_row"), lit(stage).as("stage"),
                col(reasonColumn).as("reason"));
    }

    public static Column category(Column reason) {
        return substring_index(reason, ":", 1);
    }

    /** The category of one reason (same rule as {@link #category(Column)}). */
    public static String category(String reason) {
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }
}
