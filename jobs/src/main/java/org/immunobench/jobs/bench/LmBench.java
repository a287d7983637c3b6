package org.immunobench.jobs.bench;

import java.io.PrintWriter;

/** TEMPORARY until lm's LmBenchmark exists. */
public final class LmBench {
    private LmBench() {
    }

    public static void run(PrintWriter out) {
        out.println("lm benchmark: TODO");
    }
}
