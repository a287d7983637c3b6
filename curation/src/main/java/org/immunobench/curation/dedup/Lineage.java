package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Materialises an intermediate result and cuts its lineage. Persisting is not enough: Spark prints the full plan of
 * every query (for its SQL listeners, UI or not), a persisted dataset's plan carries the plans it was built from, and
 * stacked persisted stages that each read their input more than once make those strings grow multiplicatively — on a
 * 100k-row run the driver spent five minutes of CPU printing plans. A checkpoint is a leaf.
 *
 * <p>Reliable ({@code checkpoint}) when the SparkContext has a checkpoint directory, so a lost executor costs a
 * recomputation; local otherwise (fine for local mode and tests; on a cluster, set a checkpoint directory).
 */
final class Lineage {
    private Lineage() {
    }

    static Dataset<Row> cut(Dataset<Row> ds) {
        return ds.sparkSession().sparkContext().getCheckpointDir().isDefined()
                ? ds.checkpoint(true)
                : ds.localCheckpoint(true);
    }
}
