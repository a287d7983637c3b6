package org.immunobench.evaluation.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The one local[2] session of an evaluation test JVM, with the settings of curation's TestSpark. A copy rather than
 * a dependency on the curation test-jar: evaluation must not depend on curation, not even for tests. Never stopped
 * by a test (a session start costs seconds; a second session in one JVM is not allowed).
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
}
