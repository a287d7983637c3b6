package org.immunobench.jobs;

import org.apache.spark.sql.SparkSession;

/** The one local[2] session of a test JVM, shared by every Spark test (a session start costs seconds). */
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
