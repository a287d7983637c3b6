package org.immunobench.curation.curate;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.adapters.SourceFormat;
import org.immunobench.curation.adapters.SourceSpec;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.validate.SourceContext;
import org.immunobench.curation.validate.ValidationLimits;
import org.immunobench.lm.config.ConfigBinder;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One input of the curate job: a dataset file (or directory, or glob) in one of the {@link SourceFormat}s, or
 * {@value #CORPUS} — Parquet already in the corpus schema (the toy world's {@code corpus/}, an earlier curate
 * output), whose rows keep their own {@code split} unless the source names one.
 *
 * <p>Default splits, used when {@code split} is not given: {@link SourceFormat#defaultSplit()}. Generic formats (jsonl, csv,
 * parquet) have none and need a {@code mapping}. Bound by {@link ConfigBinder} from an element of {@code sources}.
 *
 * @param name the corpus {@code source} value
 * @param format a {@link SourceFormat} id or {@value #CORPUS}
 * @param split where the rows go; null only for {@value #CORPUS} (each row's own split)
 * @param mapping column mapping of generic formats, null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceConfig(String name, String format, String path, String split, ColumnMapping mapping)
        implements Serializable {

    public static final String CORPUS = "corpus";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public SourceConfig {
        if (name == null) {
            throw new IllegalArgumentException("name: missing");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name
                    + "' must start with a letter or digit and hold only letters, digits, '_', '.', '-'");
        }
        if (format == null) {
            throw new IllegalArgumentException("format: missing; one of " + SourceFormat.ids() + ", " + CORPUS);
        }
        if (!format.equals(CORPUS) && !isSourceFormat(format)) {
            throw new IllegalArgumentException("format: unknown format '" + format + "'; expected one of "
                    + SourceFormat.ids() + ", " + CORPUS);
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path: missing");
        }
        if (split == null && !format.equals(CORPUS)) {
            split = SourceFormat.fromId(format).defaultSplit();
            if (split == null) {
                throw new IllegalArgumentException("split: format '" + format + "' has no default split; give one"
                        + " of " + Splits.ALL);
            }
        }
        if (split != null && !Splits.ALL.contains(split)) {
            throw new IllegalArgumentException("split: '" + split + "' is not one of " + Splits.ALL);
        }
        if (isGeneric(format) && mapping == null) {
            throw new IllegalArgumentException("mapping: format '" + format + "' needs a mapping of keys"
                    + " [prompt, response, domain, kind]");
        }
        if (!isGeneric(format) && mapping != null) {
            throw new IllegalArgumentException("mapping: format '" + format + "' takes no mapping (only jsonl, csv"
                    + " and parquet do)");
        }
    }

    @JsonIgnore
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
        int eq = s.indexOf('=');
        int colon = eq < 0 ? -1 : s.indexOf(':', eq);
        if (eq > 0 && colon > eq && s.substring(eq + 1, colon).equals(CORPUS)) {
            return new Cli(arg, s.substring(0, eq), CORPUS, s.substring(colon + 1), split);
        }
        SourceSpec spec;
        try {
            spec = SourceSpec.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("NAME=FORMAT:PATH",
                    "NAME=FORMAT:PATH[@SPLIT]").replace("; expected one of " + SourceFormat.ids(),
                    "; expected one of " + SourceFormat.ids() + ", " + CORPUS));
        }
        return new Cli(arg, spec.name(), spec.format().id(), spec.path(), split);
    }

    /** A parsed {@code --source} flag, before it meets the config file. */
    public record Cli(String arg, String name, String format, String path, String split) {
        /**
         * This flag's source. It replaces {@code base} (the file's source of the same name, or null) but keeps its
         * split unless the flag gives one, and its mapping when the format still takes one: the flag's keys are set
         * in {@code base}'s tree, which is then bound like the file's sources.
         */
        public SourceConfig toSource(SourceConfig base) {
            Map<String, Object> tree = base == null ? new LinkedHashMap<>() : ConfigBinder.toMap(base);
            tree.put("name", name);
            tree.put("format", format);
            tree.put("path", path);
            if (split != null) {
                tree.put("split", split);
            }
            if (!isGeneric(format)) {
                tree.remove("mapping");
            } else if (!tree.containsKey("mapping")) {
                tree.put("mapping", ConfigBinder.toMap(ColumnMapping.corpusColumns()));
            }
            try {
                return ConfigBinder.bind(tree, SourceConfig.class, "");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--source '" + arg + "': " + e.getMessage()
                        + (tree.get("split") == null && !format.equals(CORPUS) ? " (append @SPLIT)" : ""));
            }
        }
    }

    /** jsonl, csv and parquet: formats whose columns a mapping names. */
    private static boolean isGeneric(String format) {
        return !format.equals(CORPUS) && SourceFormat.fromId(format).needsMapping();
    }

    private static boolean isSourceFormat(String id) {
        try {
            SourceFormat.fromId(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
