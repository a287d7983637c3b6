package org.immunobench.curation.curate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Materialises a stage's output and cuts its lineage, so the next stage (the dedup stages read their input several
 * times) starts from a leaf rather than from the whole plan so far — see {@code dedup.Lineage} for what long plans
 * cost. Reliable when the SparkContext has a checkpoint directory (a lost executor costs a recomputation), local
 * otherwise.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    public static Dataset<Row> cut(Dataset<Row> ds) {
        return ds.sparkSession().sparkContext().getCheckpointDir().isDefined()
                ? ds.checkpoint(true)
                : ds.localCheckpoint(true);
    }
}
