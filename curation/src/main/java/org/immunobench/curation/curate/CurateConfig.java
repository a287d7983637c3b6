package org.immunobench.curation.curate;

import org.immunobench.curation.dedup.MinHashConfig;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.curation.perplexity.PerplexityConfig;
import org.immunobench.curation.validate.ValidationLimits;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved config of the {@code curate} job: YAML keys (below) merged with command-line overrides, every value
 * validated. Errors name the key by its path in the file ({@code sources[1].mapping.kind}, {@code dedup.bands}) or
 * the flag; unknown keys are errors. {@link #toMap()} gives the file form back, which the job writes next to its
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
 */
public record CurateConfig(int version, List<SourceConfig> sources, String out, String referenceModel,
        ValidationLimits limits, MinHashConfig dedup, boolean decontamination, PerplexityConfig perplexity,
        BucketScheme buckets, List<CurationPolicy> policies, long seed) implements Serializable {

    public static final int VERSION = 1;
    public static final List<String> KEYS = List.of("version", "out", "reference_model", "seed", "sources",
            "validation", "dedup", "decontamination", "perplexity", "buckets", "policies");

    public CurateConfig {
        if (version != VERSION) {
            throw new IllegalArgumentException("version: this build reads version " + VERSION + ", got " + version);
        }
        sources = List.copyOf(sources);
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
        if (limits == null || dedup == null || perplexity == null || buckets == null) {
            throw new IllegalArgumentException("validation, dedup, perplexity and buckets must be set");
        }
        policies = List.copyOf(policies);
    }

    /** What the command line may override; nulls and empty lists leave the file's values. */
    public record Overrides(List<String> sources, String out, String referenceModel, Long seed) {
        public static final Overrides NONE = new Overrides(List.of(), null, null, null);

        public Overrides {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * Reads a parsed config file (an empty map when there is none) and applies the command-line overrides. A
     * {@code --source} whose NAME is in the file replaces that entry's format and path, and its split when the flag
     * has {@code @SPLIT}; it keeps the entry's mapping. Other names are added after the file's sources.
     */
    public static CurateConfig resolve(Map<String, ?> file, Overrides o) {
        ConfigSection root = ConfigSection.root(file == null ? Map.of() : file);
        root.allowOnly(KEYS);
        int version = root.intValue("version", VERSION);

        List<SourceConfig> sources = new ArrayList<>();
        List<Object> raw = root.list("sources");
        for (int i = 0; i < raw.size(); i++) {
            sources.add(SourceConfig.parse(root.element("sources", i, raw.get(i))));
        }
        Set<String> cliNames = new HashSet<>();
        for (String arg : o.sources()) {
            SourceConfig.Cli cli = SourceConfig.parseCli(arg);
            if (!cliNames.add(cli.name())) {
                throw new IllegalArgumentException("--source '" + arg + "': NAME '" + cli.name()
                        + "' is given by another --source too");
            }
            int at = indexOf(sources, cli.name());
            if (at >= 0) {
                sources.set(at, cli.toSource(sources.get(at)));
            } else {
                sources.add(cli.toSource(null));
            }
        }

        String out = o.out() != null ? o.out() : root.string("out", null);
        String model = o.referenceModel() != null ? o.referenceModel() : root.string("reference_model", null);
        long seed = o.seed() != null ? o.seed() : root.integer("seed", 0);

        ConfigSection validation = root.section("validation");
        validation.allowOnly(List.of("max_row_chars"));
        ValidationLimits limits = section(validation, () -> new ValidationLimits(
                validation.intValue("max_row_chars", ValidationLimits.DEFAULT.maxRowChars())));

        ConfigSection dedupSection = root.section("dedup");
        dedupSection.allowOnly(MinHashConfig.KEYS);
        MinHashConfig dedup = section(dedupSection, () -> MinHashConfig.fromMap(dedupSection.asMap()));

        boolean decontamination = root.bool("decontamination", true);

        ConfigSection ppl = root.section("perplexity");
        ppl.allowOnly(List.of("max_batch_tokens", "max_batch_size", "chunk_rows", "partitions"));
        PerplexityConfig perplexity = section(ppl, () -> new PerplexityConfig(
                ppl.intValue("max_batch_tokens", PerplexityConfig.DEFAULT_MAX_BATCH_TOKENS),
                ppl.intValue("max_batch_size", PerplexityConfig.DEFAULT_MAX_BATCH_SIZE),
                ppl.intValue("chunk_rows", PerplexityConfig.DEFAULT_CHUNK_ROWS),
                ppl.intValue("partitions", 0)));

        ConfigSection b = root.section("buckets");
        b.allowOnly(List.of("cutoffs", "labels", "min_group_rows"));
        BucketScheme buckets = section(b, () -> new BucketScheme(b.numbers("cutoffs", BucketScheme.DEFAULT_CUTOFFS),
                b.strings("labels", null), b.intValue("min_group_rows", BucketScheme.DEFAULT_MIN_GROUP_ROWS)));

        List<CurationPolicy> policies = new ArrayList<>();
        List<Object> rawPolicies = root.list("policies");
        for (int i = 0; i < rawPolicies.size(); i++) {
            policies.add(CurationPolicy.parse(root, i, rawPolicies.get(i)));
        }
        return new CurateConfig(version, sources, out, model, limits, dedup, decontamination, perplexity, buckets,
                policies, seed);
    }

    public static CurateConfig resolve(Map<String, ?> file) {
        return resolve(file, Overrides.NONE);
    }

    public boolean hasReferenceModel() {
        return referenceModel != null;
    }

    /** The file form of this config, every default spelled out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("out", out);
        if (referenceModel != null) {
            m.put("reference_model", referenceModel);
        }
        m.put("seed", seed);
        m.put("sources", sources.stream().map(SourceConfig::toMap).toList());
        m.put("validation", Map.of("max_row_chars", limits.maxRowChars()));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("shingle_size", dedup.shingleSize());
        d.put("bands", dedup.bands());
        d.put("rows", dedup.rows());
        d.put("jaccard_threshold", dedup.jaccardThreshold());
        d.put("seed", dedup.seed());
        d.put("max_bucket_size", dedup.maxBucketSize());
        m.put("dedup", d);
        m.put("decontamination", decontamination);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("max_batch_tokens", perplexity.maxBatchTokens());
        p.put("max_batch_size", perplexity.maxBatchSize());
        p.put("chunk_rows", perplexity.chunkRows());
        p.put("partitions", perplexity.partitions());
        m.put("perplexity", p);
        Map<String, Object> bk = new LinkedHashMap<>();
        bk.put("cutoffs", buckets.cutoffs());
        bk.put("labels", buckets.labels());
        bk.put("min_group_rows", buckets.minGroupRows());
        m.put("buckets", bk);
        m.put("policies", policies.stream().map(CurationPolicy::toMap).toList());
        return m;
    }

    private static int indexOf(List<SourceConfig> sources, String name) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Runs a section's constructor, prefixing its error with the section path unless it already has one. */
    private static <T> T section(ConfigSection s, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            if (msg.startsWith(s.path() + ".") || msg.startsWith(s.path() + ":")) {
                throw e;
            }
            throw new IllegalArgumentException(s.path() + "." + msg, e);
        }
    }
}
