package org.immunobench.curation.curate;

import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.ValidationLimits;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One input of the curate job: a dataset file (or directory, or glob) in one of the {@link SourceFormat}s, or
 * {@value #CORPUS} — Parquet already in the corpus schema (the toy world's {@code corpus/}, an earlier curate
 * output), whose rows keep their own {@code split} unless the source names one.
 *
 * <p>Default splits, used when {@code split} is not given: {@link #DEFAULT_SPLITS}. Generic formats (jsonl, csv,
 * parquet) have none and need a {@code mapping}.
 *
 * @param name the corpus {@code source} value
 * @param format a {@link SourceFormat} id or {@value #CORPUS}
 * @param split where the rows go; null only for {@value #CORPUS} (each row's own split)
 * @param mapping column mapping of generic formats, null otherwise
 */
public record SourceConfig(String name, String format, String path, String split, ColumnMapping mapping)
        implements Serializable {

    public static final String CORPUS = "corpus";
    public static final List<String> KEYS = List.of("name", "format", "path", "split", "mapping");
    public static final List<String> MAPPING_KEYS = List.of("prompt", "response", "domain", "kind");

    /**
     * Where each dataset goes when the config does not say: harmful QA pairs are attack data, harmful prompts are
     * for measuring harm, instruction and classification data is benign fine-tuning data.
     */
    public static final Map<String, String> DEFAULT_SPLITS = defaultSplits();

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public SourceConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name
                    + "' must start with a letter or digit and hold only letters, digits, '_', '.', '-'");
        }
        if (format == null || (!format.equals(CORPUS) && !isSourceFormat(format))) {
            throw new IllegalArgumentException("format: unknown format '" + format + "'; expected one of "
                    + SourceFormat.ids() + ", " + CORPUS);
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path: missing");
        }
        if (split == null && !format.equals(CORPUS)) {
            split = DEFAULT_SPLITS.get(format);
            if (split == null) {
                throw new IllegalArgumentException("split: format '" + format + "' has no default split; give one"
                        + " of " + Splits.ALL);
            }
        }
        if (split != null && !Splits.ALL.contains(split)) {
            throw new IllegalArgumentException("split: '" + split + "' is not one of " + Splits.ALL);
        }
        boolean generic = !format.equals(CORPUS) && SourceFormat.fromId(format).needsMapping();
        if (generic && mapping == null) {
            throw new IllegalArgumentException("mapping: format '" + format + "' needs a mapping of keys "
                    + MAPPING_KEYS);
        }
        if (!generic && mapping != null) {
            throw new IllegalArgumentException("mapping: format '" + format + "' takes no mapping (only jsonl, csv"
                    + " and parquet do)");
        }
    }

    public boolean isCorpus() {
        return format.equals(CORPUS);
    }

    /** The adapter-level spec; not for {@value #CORPUS} sources. */
    public SourceSpec spec() {
        if (isCorpus()) {
            throw new IllegalStateException("source '" + name + "' is in corpus format, which has no SourceSpec");
        }
        return new SourceSpec(name, SourceFormat.fromId(format), path);
    }

    /** The validation context of this source's rows; {@code rowSplit} is used only when the source has none. */
    public SourceContext context(ValidationLimits limits, String rowSplit) {
        return new SourceContext(name, split != null ? split : rowSplit, limits);
    }

    /**
     * The {@code --source NAME=FORMAT:PATH[@SPLIT]} flag. {@code @SPLIT} is taken only when SPLIT is a split name,
     * so other paths may hold '@'. A generic format given this way reads corpus-named columns (prompt, response,
     * domain, kind).
     */
    public static Cli parseCli(String arg) {
        String s = arg == null ? "" : arg.strip();
        String split = null;
        int at = s.lastIndexOf('@');
        if (at > 0 && Splits.ALL.contains(s.substring(at + 1))) {
            split = s.substring(at + 1);
            s = s.substring(0, at);
        }
        String name;
        String format;
        String path;
        int eq = s.indexOf('=');
        int colon = eq < 0 ? -1 : s.indexOf(':', eq);
        if (eq > 0 && colon > eq && s.substring(eq + 1, colon).equals(CORPUS)) {
            name = s.substring(0, eq);
            format = CORPUS;
            path = s.substring(colon + 1);
        } else {
            SourceSpec spec;
            try {
                spec = SourceSpec.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace("NAME=FORMAT:PATH",
                        "NAME=FORMAT:PATH[@SPLIT]").replace("; expected one of " + SourceFormat.ids(),
                        "; expected one of " + SourceFormat.ids() + ", " + CORPUS));
            }
            name = spec.name();
            format = spec.format().id();
            path = spec.path();
        }
        return new Cli(arg, name, format, path, split);
    }

    /** A parsed {@code --source} flag, before it meets the config file. */
    public record Cli(String arg, String name, String format, String path, String split) {
        /**
         * This flag's source. It replaces {@code base} (the file's source of the same name, or null) but keeps its
         * split unless the flag gives one, and its mapping when the format still takes one.
         */
        public SourceConfig toSource(SourceConfig base) {
            boolean generic = !format.equals(CORPUS) && SourceFormat.fromId(format).needsMapping();
            ColumnMapping m = !generic ? null
                    : base != null && base.mapping() != null ? base.mapping() : ColumnMapping.corpusColumns();
            String sp = split != null ? split : base != null ? base.split() : null;
            try {
                return new SourceConfig(name, format, path, sp, m);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--source '" + arg + "': " + e.getMessage()
                        + (sp == null && !format.equals(CORPUS) ? " (append @SPLIT)" : ""));
            }
        }
    }

    /** Parses one element of {@code sources}; errors start with its path. */
    static SourceConfig parse(ConfigSection s) {
        s.allowOnly(KEYS);
        String name = s.requiredString("name");
        String format = s.requiredString("format");
        String path = s.requiredString("path");
        String split = s.string("split", null);
        ColumnMapping mapping = s.has("mapping") ? mapping(s.section("mapping")) : null;
        try {
            return new SourceConfig(name, format, path, split, mapping);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(s.path() + "." + e.getMessage());
        }
    }

    private static ColumnMapping mapping(ConfigSection m) {
        m.allowOnly(MAPPING_KEYS);
        String prompt = m.requiredString("prompt");
        String response = m.string("response", null);
        ColumnMapping.Value domain = value(m, "domain");
        ColumnMapping.Value kind = value(m, "kind");
        try {
            return new ColumnMapping(prompt, response, domain, kind);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage(); // ColumnMapping names its keys as mapping.KEY
            throw new IllegalArgumentException(msg.startsWith("mapping.") ? m.path() + msg.substring(7)
                    : m.path() + ": " + msg);
        }
    }

    /** {@code KEY: COLUMN}, {@code KEY: {column: C}} or {@code KEY: {constant: V}}. */
    private static ColumnMapping.Value value(ConfigSection m, String key) {
        Object raw = m.raw(key);
        if (raw == null) {
            throw new IllegalArgumentException(m.at(key) + ": missing (a column name, {column: NAME} or"
                    + " {constant: VALUE})");
        }
        if (!(raw instanceof Map)) {
            return ColumnMapping.Value.column(m.requiredString(key));
        }
        ConfigSection v = m.section(key);
        v.allowOnly(List.of("column", "constant"));
        try {
            return new ColumnMapping.Value(v.string("column", null), v.string("constant", null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(v.path() + ": " + e.getMessage());
        }
    }

    /** The config-file form of this source (what {@link #parse} reads). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("format", format);
        m.put("path", path);
        if (split != null) {
            m.put("split", split);
        }
        if (mapping != null) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("prompt", mapping.prompt());
            if (mapping.response() != null) {
                mm.put("response", mapping.response());
            }
            mm.put("domain", valueMap(mapping.domain()));
            mm.put("kind", valueMap(mapping.kind()));
            m.put("mapping", mm);
        }
        return m;
    }

    private static Map<String, Object> valueMap(ColumnMapping.Value v) {
        return v.isColumn() ? Map.of("column", v.column()) : Map.of("constant", v.constant());
    }

    private static boolean isSourceFormat(String id) {
        try {
            SourceFormat.fromId(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> defaultSplits() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SourceFormat.BEAVERTAILS.id(), Splits.ATTACK);
        m.put(SourceFormat.ADVBENCH.id(), Splits.EVAL);
        m.put(SourceFormat.HARMBENCH.id(), Splits.EVAL);
        m.put(SourceFormat.HEXPHI.id(), Splits.EVAL);
        m.put(SourceFormat.ALPACA.id(), Splits.BENIGN_TRAIN);
        m.put(SourceFormat.DOLLY.id(), Splits.BENIGN_TRAIN);
        m.put(SourceFormat.SST2.id(), Splits.BENIGN_TRAIN);
        return java.util.Collections.unmodifiableMap(m);
    }
}
