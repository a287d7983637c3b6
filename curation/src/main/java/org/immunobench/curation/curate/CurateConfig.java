package org.immunobench.curation.curate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.immunobench.curation.dedup.MinHashConfig;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.PerplexityConfig;
import org.immunobench.curation.validate.ValidationLimits;
import org.immunobench.lm.config.ConfigBinder;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved config of the {@code curate} job: YAML keys (below) merged with command-line overrides, every value
 * validated, bound by {@link ConfigBinder}. Errors name the key by its path in the file
 * ({@code sources[1].mapping.kind}, {@code dedup.bands}) or the flag; unknown keys are errors.
 * {@link ConfigBinder#toMap} gives the file form back, every default spelled out, which the job writes next to its
 * outputs and {@link #resolve} reads unchanged.
 *
 * <pre>
 * version: 1
 * out: DIR
 * reference_model: DIR            # optional; without it stages 5 and 6 are skipped
 * seed: 0                         # balance_domains sampling
 * sources:
 *   - {name: toy, format: corpus, path: world/corpus}                  # rows keep their split
 *   - {name: bt, format: beavertails, path: bt.jsonl, split: attack}   # split defaults per format
 *   - name: qa
 *     format: jsonl                                                     # jsonl | csv | parquet need a mapping
 *     path: qa.jsonl
 *     split: benign_train
 *     mapping: {prompt: question, response: answer, domain: {constant: qa}, kind: {column: label}}
 * validation: {max_row_chars: 65536}
 * dedup: {shingle_size: 5, bands: 16, rows: 8, jaccard_threshold: 0.8, seed: 1, max_bucket_size: 1000}
 * decontamination: true
 * perplexity: {max_batch_tokens: 4096, max_batch_size: 64, chunk_rows: 512, partitions: 0}
 * buckets: {cutoffs: [30, 60], labels: [head, middle, tail], min_group_rows: 20}
 * policies:                       # applied in order; each may limit itself with splits: [...]
 *   - keep_band: {lo: 0, hi: 90}
 *   - drop_top_tail: {percent: 5}
 *   - balance_domains: {max_per_domain: min, splits: [attack]}
 * </pre>
 *
 * @param referenceModel checkpoint directory, or null
 * @param limits config key {@code validation}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CurateConfig(Integer version, String out, String referenceModel, Long seed, List<SourceConfig> sources,
        @JsonProperty("validation") ValidationLimits limits, MinHashConfig dedup, Boolean decontamination,
        PerplexityConfig perplexity, BucketScheme buckets,
        @JsonDeserialize(contentConverter = CurationPolicy.FromEntry.class)
        @JsonSerialize(contentConverter = CurationPolicy.ToEntry.class) List<CurationPolicy> policies)
        implements Serializable {

    public static final int VERSION = 1;

    /** Checks the whole config; absent sections and keys take their defaults. */
    public CurateConfig {
        version = version == null ? VERSION : version;
        if (version != VERSION) {
            throw new IllegalArgumentException("version: this build reads version " + VERSION + ", got " + version);
        }
        sources = sources == null ? List.of() : List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("sources: none given; list them under the key sources or pass"
                    + " --source NAME=FORMAT:PATH");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < sources.size(); i++) {
            if (!names.add(sources.get(i).name())) {
                throw new IllegalArgumentException("sources[" + i + "].name: '" + sources.get(i).name()
                        + "' names another source too; names must be unique");
            }
        }
        if (out == null || out.isBlank()) {
            throw new IllegalArgumentException("out: missing; give the key out or pass --out DIR");
        }
        if (referenceModel != null && referenceModel.isBlank()) {
            throw new IllegalArgumentException("reference_model: empty");
        }
        seed = seed == null ? 0L : seed;
        limits = limits == null ? ValidationLimits.DEFAULT : limits;
        dedup = dedup == null ? MinHashConfig.defaults() : dedup;
        decontamination = decontamination == null || decontamination;
        perplexity = perplexity == null ? PerplexityConfig.defaults() : perplexity;
        buckets = buckets == null ? BucketScheme.defaults() : buckets;
        policies = policies == null ? List.of() : List.copyOf(policies);
    }

    /** What the command line may override; nulls and empty lists leave the file's values. */
    public record Overrides(List<String> sources, String out, String referenceModel, Long seed) {
        public static final Overrides NONE = new Overrides(List.of(), null, null, null);

        public Overrides {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * Binds a parsed config file (an empty map when there is none) after setting the command-line overrides in it.
     * A {@code --source} whose NAME is in the file replaces that entry's format and path, and its split when the flag
     * has {@code @SPLIT}; it keeps the entry's mapping. Other names are added after the file's sources.
     */
    public static CurateConfig resolve(Map<String, ?> file, Overrides o) {
        Map<String, Object> tree = new LinkedHashMap<>(file == null ? Map.of() : file);
        if (o.out() != null) {
            tree.put("out", o.out());
        }
        if (o.referenceModel() != null) {
            tree.put("reference_model", o.referenceModel());
        }
        if (o.seed() != null) {
            tree.put("seed", o.seed());
        }
        if (!o.sources().isEmpty()) {
            tree.put("sources", withFlags(tree.get("sources"), o.sources()));
        }
        return ConfigBinder.bind(tree, CurateConfig.class, "");
    }

    public static CurateConfig resolve(Map<String, ?> file) {
        return resolve(file, Overrides.NONE);
    }

    public boolean hasReferenceModel() {
        return referenceModel != null;
    }

    /** The file's {@code sources} with the {@code --source} flags applied; a value that is no list is left to fail. */
    private static Object withFlags(Object fileSources, List<String> flags) {
        if (fileSources != null && !(fileSources instanceof List)) {
            return fileSources;
        }
        List<Object> sources = fileSources == null ? new ArrayList<>() : new ArrayList<>((List<?>) fileSources);
        Set<String> flagNames = new HashSet<>();
        for (String arg : flags) {
            SourceConfig.Cli cli = SourceConfig.parseCli(arg);
            if (!flagNames.add(cli.name())) {
                throw new IllegalArgumentException("--source '" + arg + "': NAME '" + cli.name()
                        + "' is given by another --source too");
            }
            int at = indexOf(sources, cli.name());
            SourceConfig base = at < 0 ? null
                    : ConfigBinder.bind(sources.get(at), SourceConfig.class, "sources[" + at + "]");
            SourceConfig source = cli.toSource(base);
            if (at >= 0) {
                sources.set(at, source);
            } else {
                sources.add(source);
            }
        }
        return sources;
    }

    private static int indexOf(List<Object> sources, String name) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i) instanceof Map<?, ?> m && name.equals(m.get("name"))) {
                return i;
            }
        }
        return -1;
    }
}
