package org.immunobench.jobs.score;

import java.util.Locale;

/** Input formats of the {@code score} job, and the rule that picks one from a path when none is given. */
public enum InputFormat {
    JSONL, PARQUET;

    /** By extension (compression suffixes ignored); a directory is a Parquet dataset. */
    public static InputFormat detect(String path, boolean isDirectory) {
        if (isDirectory) {
            return PARQUET;
        }
        String name = path.toLowerCase(Locale.ROOT).replaceFirst("\\.(gz|bz2|deflate|zst)$", "");
        // Not .json: that is as often one JSON array (e.g. Alpaca) as JSON lines, so it needs --format.
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".parquet")) {
            return PARQUET;
        }
        throw new IllegalArgumentException("cannot tell the format of " + path
                + " from its name (expected .jsonl or .parquet); pass --format jsonl|parquet");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
