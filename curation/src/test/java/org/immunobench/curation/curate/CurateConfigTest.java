package org.immunobench.curation.curate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.immunobench.curation.adapters.ColumnMapping;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.dedup.MinHashConfig;
import org.immunobench.curation.perplexity.BucketScheme;
import org.immunobench.lm.config.ConfigBinder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config parsing: defaults, YAML paths in errors, unknown keys, flag overrides, and the resolved-file round trip. */
class CurateConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A config map from JSON text (YAML's data model, without a YAML dependency in this module). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) {
        try {
            return JSON.readValue(json.replace('\'', '"'), LinkedHashMap.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> CurateConfig.resolve(map(json))).getMessage();
    }

    private static final String MIN = "{'out': '/tmp/o', 'sources': [{'name': 'bt', 'format': 'beavertails',"
            + " 'path': 'bt.jsonl'}]}";

    @Test
    void defaultsEverySectionAndTheDatasetSplit() {
        CurateConfig c = CurateConfig.resolve(map(MIN));
        assertEquals(Splits.ATTACK, c.sources().get(0).split());
        assertEquals(MinHashConfig.defaults(), c.dedup());
        assertEquals(BucketScheme.defaults(), c.buckets());
        assertEquals(List.of("head", "middle", "tail"), c.buckets().labels());
        assertTrue(c.decontamination());
        assertNull(c.referenceModel());
        assertTrue(c.policies().isEmpty());
        assertEquals(0, c.seed());
    }

    @Test
    void everyErrorNamesItsKeyPath() {
        assertEquals("sources[0].fromat: unknown key; allowed in sources[0]: [format, mapping, name, path, split]",
                error("{'out': 'o', 'sources': [{'name': 'a', 'fromat': 'jsonl', 'format': 'x', 'path': 'p'}]}"));
        assertEquals("dedupe: unknown key; allowed: [buckets, decontamination, dedup, out, perplexity, policies,"
                + " reference_model, seed, sources, validation, version]", error("{'dedupe': {}}"));
        assertTrue(error("{'out': 'o', 'dedup': {'bands': 0}, 'sources': [{'name': 'a', 'format': 'alpaca',"
                + " 'path': 'p'}]}").startsWith("dedup.bands: must be >= 1"), error("{'out': 'o', 'dedup': {'bands':"
                + " 0}, 'sources': [{'name': 'a', 'format': 'alpaca', 'path': 'p'}]}"));
        assertEquals("dedup.band: unknown key; allowed in dedup: [bands, jaccard_threshold, max_bucket_size, rows,"
                + " seed, shingle_size]", error("{'dedup': {'band': 3}}"));
        assertEquals("dedup.rows: expected an integer, got '8.5'", error("{'dedup': {'rows': 8.5}}"));
        assertEquals("sources[1].split: format 'jsonl' has no default split; give one of " + Splits.ALL,
                error("{'out': 'o', 'sources': [{'name': 'a', 'format': 'alpaca', 'path': 'p'}, {'name': 'b',"
                        + " 'format': 'jsonl', 'path': 'q', 'mapping': {'prompt': 'x', 'domain': 'd', 'kind':"
                        + " {'constant': 'benign'}}}]}"));
        assertEquals("sources[0].mapping.kind: constant must be one of [harmful, refusal, benign], got 'evil'",
                error("{'out': 'o', 'sources': [{'name': 'b', 'format': 'csv', 'path': 'q', 'split': 'attack',"
                        + " 'mapping': {'prompt': 'x', 'domain': 'd', 'kind': {'constant': 'evil'}}}]}"));
        assertEquals("sources[0].mapping: format 'jsonl' needs a mapping of keys [prompt, response, domain, kind]",
                error("{'out': 'o', 'sources': [{'name': 'b', 'format': 'jsonl', 'path': 'q', 'split': 'attack'}]}"));
        assertEquals("sources[0].format: unknown format 'bevertails'; expected one of beavertails, advbench,"
                + " harmbench, hexphi, alpaca, dolly, sst2, jsonl, csv, parquet, corpus",
                error("{'out': 'o', 'sources': [{'name': 'b', 'format': 'bevertails', 'path': 'q'}]}"));
        assertEquals("buckets.cutoffs[1]: must be above cutoffs[0] (60.0), got 30.0",
                error("{'buckets': {'cutoffs': [60, 30]}}"));
        assertEquals("buckets.labels: 2 cut-offs make 3 buckets, got 2 labels",
                error("{'buckets': {'labels': ['low', 'high']}}"));
        assertEquals("perplexity.max_batch_tokens: expected an integer, got 'lots'",
                error("{'perplexity': {'max_batch_tokens': 'lots'}}"));
        assertEquals("policies[1].keep_band: need 0 <= lo < hi <= 100, got lo=90.0 hi=10.0",
                error("{'policies': [{'drop_top_tail': {'percent': 5}}, {'keep_band': {'lo': 90, 'hi': 10}}]}"));
        assertEquals("policies[0].keep_band.hi: missing", error("{'policies': [{'keep_band': {'lo': 90}}]}"));
        assertEquals("policies[0].balance_domains.max_per_domain: expected an integer, got 'most'",
                error("{'policies': [{'balance_domains': {'max_per_domain': 'most'}}]}"));
        assertEquals("policies[0].keep_bands: unknown key; allowed in policies[0]: [balance_domains, drop_top_tail,"
                + " keep_band]", error("{'policies': [{'keep_bands': {}}]}"));
        assertEquals("policies[0]: expected one of [keep_band, drop_top_tail, balance_domains] as the only key, e.g."
                + " {keep_band: {lo: 10, hi: 90}}", error("{'policies': [{'keep_band': {'lo': 1, 'hi': 2},"
                + " 'drop_top_tail': {'percent': 5}}]}"));
        assertEquals("policies[0].drop_top_tail.splits[0]: '3' is not one of " + Splits.ALL,
                error("{'policies': [{'drop_top_tail': {'percent': 5, 'splits': [3]}}]}"));
        assertTrue(error("{'policies': [{'drop_top_tail': {'percent': 5, 'splits': ['atack']}}]}")
                .startsWith("policies[0].drop_top_tail.splits[0]: 'atack' is not one of"));
        assertEquals("sources[1].name: 'a' names another source too; names must be unique",
                error("{'out': 'o', 'sources': [{'name': 'a', 'format': 'alpaca', 'path': 'p'}, {'name': 'a',"
                        + " 'format': 'dolly', 'path': 'q'}]}"));
        assertEquals("sources: none given; list them under the key sources or pass --source NAME=FORMAT:PATH",
                error("{'out': 'o'}"));
        assertEquals("out: missing; give the key out or pass --out DIR",
                error("{'sources': [{'name': 'a', 'format': 'alpaca', 'path': 'p'}]}"));
        assertEquals("version: this build reads version 1, got 2", error("{'version': 2}"));
    }

    @Test
    void flagsOverrideTheFile() {
        Map<String, Object> file = map("{'out': 'file-out', 'seed': 3, 'sources': [{'name': 'qa', 'format': 'jsonl',"
                + " 'path': 'qa.jsonl', 'split': 'benign_train', 'mapping': {'prompt': 'question', 'domain':"
                + " {'constant': 'qa'}, 'kind': {'column': 'label'}}}]}");
        CurateConfig c = CurateConfig.resolve(file, new CurateConfig.Overrides(List.of("qa=csv:qa.csv",
                "toy=corpus:/w/corpus", "adv=advbench:a.csv@attack", "odd=csv:/data/x@v2@eval"), "flag-out", "/m",
                null));
        assertEquals("flag-out", c.out());
        assertEquals("/m", c.referenceModel());
        assertEquals(3, c.seed());
        SourceConfig qa = c.sources().get(0);
        assertEquals("csv", qa.format());
        assertEquals("qa.csv", qa.path());
        assertEquals(Splits.BENIGN_TRAIN, qa.split(), "split kept from the file");
        assertEquals("question", qa.mapping().prompt(), "mapping kept from the file");
        SourceConfig toy = c.sources().get(1);
        assertTrue(toy.isCorpus());
        assertNull(toy.split(), "corpus rows keep their own split");
        assertEquals(Splits.ATTACK, c.sources().get(2).split());
        assertEquals("/data/x@v2", c.sources().get(3).path());
        assertEquals(Splits.EVAL, c.sources().get(3).split());
        assertEquals(ColumnMapping.corpusColumns(), c.sources().get(3).mapping());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CurateConfig.resolve(Map.of(),
                new CurateConfig.Overrides(List.of("x=jsonl:x.jsonl"), "o", null, null)));
        assertEquals("--source 'x=jsonl:x.jsonl': split: format 'jsonl' has no default split; give one of "
                + Splits.ALL + " (append @SPLIT)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CurateConfig.resolve(Map.of(),
                new CurateConfig.Overrides(List.of("x=alpca:x.json"), "o", null, null)));
        assertTrue(e.getMessage().startsWith("--source 'x=alpca:x.json': unknown FORMAT 'alpca'; expected one of"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(", parquet, corpus"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CurateConfig.resolve(Map.of(),
                new CurateConfig.Overrides(List.of("a=alpaca:x.json", "a=dolly:y.jsonl"), "o", null, null)));
        assertEquals("--source 'a=dolly:y.jsonl': NAME 'a' is given by another --source too", e.getMessage());
    }

    @Test
    void theWrittenConfigReadsBackUnchanged() {
        CurateConfig c = CurateConfig.resolve(map("{'out': 'o', 'reference_model': '/m', 'seed': 9, 'sources': ["
                + "{'name': 'qa', 'format': 'csv', 'path': 'qa.csv', 'split': 'eval', 'mapping': {'prompt': 'q',"
                + " 'response': 'a', 'domain': {'constant': 'qa'}, 'kind': 'label'}},"
                + "{'name': 'toy', 'format': 'corpus', 'path': 'w/corpus'}],"
                + " 'validation': {'max_row_chars': 1000}, 'dedup': {'bands': 20, 'rows': 5, 'jaccard_threshold': 0.7},"
                + " 'decontamination': false, 'perplexity': {'max_batch_tokens': 512, 'partitions': 3},"
                + " 'buckets': {'cutoffs': [10, 50, 90], 'min_group_rows': 5},"
                + " 'policies': [{'keep_band': {'lo': 0, 'hi': 60, 'splits': ['attack']}}, {'drop_top_tail':"
                + " {'percent': 2.5}}, {'balance_domains': {'max_per_domain': 'min'}}, {'balance_domains':"
                + " {'max_per_domain': 7}}]}"));
        assertEquals(List.of("b0", "b1", "b2", "b3"), c.buckets().labels());
        assertFalse(c.decontamination());
        assertEquals(List.of("keep_band[0,60]", "drop_top_tail[2.5]", "balance_domains[min]",
                "balance_domains[max=7]"), c.policies().stream().map(CurationPolicy::id).toList());
        assertEquals(c, CurateConfig.resolve(ConfigBinder.toMap(c)));
    }
}
