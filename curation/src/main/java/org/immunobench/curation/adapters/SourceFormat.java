package org.immunobench.curation.adapters;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The {@code FORMAT} of a {@code NAME=FORMAT:PATH} source: a known dataset, or a generic file with a mapping. */
public enum SourceFormat {
    BEAVERTAILS("beavertails"),
    ADVBENCH("advbench"),
    HARMBENCH("harmbench"),
    HEXPHI("hexphi"),
    ALPACA("alpaca"),
    DOLLY("dolly"),
    SST2("sst2"),
    JSONL("jsonl"),
    CSV("csv"),
    PARQUET("parquet");

    /** How a file's bytes are cut into rows, which decides how it can be read in parallel. */
    public enum Layout {
        /** One row per line: Spark can split one file over many tasks. */
        JSON_LINES, SINGLE_COLUMN_LINES, TSV,
        /** Rows may span lines: one file is read by one task. */
        CSV, JSON_ARRAY,
        /** Read through Spark's Parquet reader only. */
        PARQUET;

        public boolean lineOriented() {
            return this == JSON_LINES || this == SINGLE_COLUMN_LINES || this == TSV;
        }
    }

    private final String id;

    SourceFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Generic formats read through a {@link ColumnMapping}. */
    public boolean needsMapping() {
        return this == JSONL || this == CSV || this == PARQUET;
    }

    /** SST-2 comes as GLUE's TSV or as Hugging Face Parquet; the file name tells which. */
    public Layout layout(String fileName) {
        switch (this) {
            case BEAVERTAILS:
            case DOLLY:
            case JSONL:
                return Layout.JSON_LINES;
            case ADVBENCH:
            case HARMBENCH:
            case CSV:
                return Layout.CSV;
            case HEXPHI:
                return Layout.SINGLE_COLUMN_LINES;
            case ALPACA:
                return Layout.JSON_ARRAY;
            case SST2:
                return fileName.toLowerCase(Locale.ROOT).endsWith(".parquet") ? Layout.PARQUET : Layout.TSV;
            default:
                return Layout.PARQUET;
        }
    }

    /** The dataset half of the adapter for one file of this format; {@code mapping} only for generic formats. */
    public RecordMapper mapper(String fileName, ColumnMapping mapping) {
        if (needsMapping() && mapping == null) {
            throw new IllegalArgumentException("format '" + id + "' needs a column mapping (config key mapping)");
        }
        switch (this) {
            case BEAVERTAILS:
                return new BeaverTailsAdapter();
            case ADVBENCH:
                return new AdvBenchAdapter();
            case HARMBENCH:
                return new HarmBenchAdapter();
            case HEXPHI:
                return HexPhiAdapter.forFile(fileName);
            case ALPACA:
                return new AlpacaAdapter();
            case DOLLY:
                return new DollyAdapter();
            case SST2:
                return new Sst2Adapter();
            default:
                return new MappedColumnsAdapter(mapping);
        }
    }

    /** By its {@link #id}; the error lists the known formats. */
    public static SourceFormat fromId(String id) {
        for (SourceFormat f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown FORMAT '" + id + "'; expected one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(SourceFormat::id).collect(Collectors.joining(", "));
    }
}
