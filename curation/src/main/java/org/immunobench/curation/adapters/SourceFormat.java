package org.immunobench.curation.adapters;

import org.immunobench.curation.corpus.Splits;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code FORMAT} of a {@code NAME=FORMAT:PATH} source: a known dataset, or a generic file with a mapping. Each
 * constant is the whole registration of a format: its id, how its files are cut into rows, the split its rows go to
 * when a source does not say, and its mapper (the dataset half of the adapter; the reader half follows from the
 * layout). Adding a dataset is its {@link RecordMapper} plus one constant here.
 */
public enum SourceFormat {
    BEAVERTAILS("beavertails", file -> Layout.JSON_LINES, Splits.ATTACK, (file, m) -> new BeaverTailsAdapter()),
    ADVBENCH("advbench", file -> Layout.CSV, Splits.EVAL, (file, m) -> new AdvBenchAdapter()),
    HARMBENCH("harmbench", file -> Layout.CSV, Splits.EVAL, (file, m) -> new HarmBenchAdapter()),
    HEXPHI("hexphi", file -> Layout.SINGLE_COLUMN_LINES, Splits.EVAL, (file, m) -> HexPhiAdapter.forFile(file)),
    ALPACA("alpaca", file -> Layout.JSON_ARRAY, Splits.BENIGN_TRAIN, (file, m) -> new AlpacaAdapter()),
    DOLLY("dolly", file -> Layout.JSON_LINES, Splits.BENIGN_TRAIN, (file, m) -> new DollyAdapter()),
    /** GLUE's TSV or Hugging Face's Parquet; the file name tells which. */
    SST2("sst2", file -> file.toLowerCase(Locale.ROOT).endsWith(".parquet") ? Layout.PARQUET : Layout.TSV,
            Splits.BENIGN_TRAIN, (file, m) -> new Sst2Adapter()),
    JSONL("jsonl", file -> Layout.JSON_LINES, null, (file, m) -> new MappedColumnsAdapter(m)),
    CSV("csv", file -> Layout.CSV, null, (file, m) -> new MappedColumnsAdapter(m)),
    PARQUET("parquet", file -> Layout.PARQUET, null, (file, m) -> new MappedColumnsAdapter(m));

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
    private final Function<String, Layout> layout;
    private final String defaultSplit;
    private final BiFunction<String, ColumnMapping, RecordMapper> mapper;

    SourceFormat(String id, Function<String, Layout> layout, String defaultSplit,
            BiFunction<String, ColumnMapping, RecordMapper> mapper) {
        this.id = id;
        this.layout = layout;
        this.defaultSplit = defaultSplit;
        this.mapper = mapper;
    }

    public String id() {
        return id;
    }

    /** Generic formats (no default split) are read through a {@link ColumnMapping}. */
    public boolean needsMapping() {
        return defaultSplit == null;
    }

    /**
     * Where the rows go when the source does not say: harmful QA pairs are attack data, harmful prompts are for
     * measuring harm, instruction and classification data is benign fine-tuning data; null for generic formats.
     */
    public String defaultSplit() {
        return defaultSplit;
    }

    public Layout layout(String fileName) {
        return layout.apply(fileName);
    }

    /** The dataset half of the adapter for one file of this format; {@code mapping} only for generic formats. */
    public RecordMapper mapper(String fileName, ColumnMapping mapping) {
        if (needsMapping() && mapping == null) {
            throw new IllegalArgumentException("format '" + id + "' needs a column mapping (config key mapping)");
        }
        return mapper.apply(fileName, mapping);
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
