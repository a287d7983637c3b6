package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.CorpusSchema;

import java.util.List;

/** The one local[2] session of the test JVM, shared by every dedup Spark test (a session start costs seconds). */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("immunobench-dedup-tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "localhost")
                    .getOrCreate();
        }
        return session;
    }

    static Dataset<Row> corpus(List<CorpusRow> rows) {
        return get().createDataFrame(rows.stream().map(CorpusSchema::toRow).toList(), CorpusSchema.CORPUS);
    }
}
