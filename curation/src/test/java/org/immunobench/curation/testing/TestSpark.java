package org.immunobench.curation.testing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.CorpusSchema;

import java.util.List;

/**
 * The one local[2] session of a test JVM, shared by every Spark test of curation and, through the curation test-jar,
 * of jobs (a session start costs seconds; a second session in one JVM is not allowed). Never stopped by a test.
 */
public final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("immunobench-tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "localhost")
                    .getOrCreate();
        }
        return session;
    }

    /** Corpus rows as a Dataset in the corpus schema. */
    public static Dataset<Row> corpus(List<CorpusRow> rows) {
        return get().createDataFrame(rows.stream().map(CorpusSchema::toRow).toList(), CorpusSchema.CORPUS);
    }
}
