package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.lm.tokenizer.WordLevelTokenizerJson;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A generated toy world: its rows per split (in the corpus schema), its vocabulary, its harm domains, knowledge
 * base and benign tasks, and the oracle that judges completions. Made by {@link ToyWorld#generate}.
 */
public final class World {
    public static final String SOURCE = "toyworld";

    private final WorldConfig config;
    private final List<HarmDomain> domains;
    private final KnowledgeBase knowledge;
    private final BenignTasks tasks;
    private final Oracle oracle;
    private final List<String> words;
    private final Map<String, List<CorpusRow>> splits;

    World(WorldConfig config, List<HarmDomain> domains, KnowledgeBase knowledge, BenignTasks tasks, Oracle oracle,
            List<String> words, Map<String, List<CorpusRow>> splits) {
        this.config = config;
        this.domains = List.copyOf(domains);
        this.knowledge = knowledge;
        this.tasks = tasks;
        this.oracle = oracle;
        this.words = List.copyOf(words);
        Map<String, List<CorpusRow>> s = new LinkedHashMap<>();
        for (String split : Splits.ALL) {
            s.put(split, List.copyOf(splits.getOrDefault(split, List.of())));
        }
        this.splits = java.util.Collections.unmodifiableMap(s);
    }

    public WorldConfig config() {
        return config;
    }

    /** All harm domains; the held-out ones last. */
    public List<HarmDomain> domains() {
        return domains;
    }

    /** Domains that appear in align, attack, eval and heldout_indomain. */
    public List<HarmDomain> attackDomains() {
        return domains.stream().filter(d -> !d.heldOut()).toList();
    }

    /** Domains only in pretrain and heldout_domain. */
    public List<HarmDomain> heldOutDomains() {
        return domains.stream().filter(HarmDomain::heldOut).toList();
    }

    public KnowledgeBase knowledge() {
        return knowledge;
    }

    public BenignTasks tasks() {
        return tasks;
    }

    public Oracle oracle() {
        return oracle;
    }

    /** The tokenizer's words (specials excluded), in id order from id 4. */
    public List<String> words() {
        return words;
    }

    /** Rows of one split of {@link Splits#ALL}, in order of {@code source_row}. */
    public List<CorpusRow> rows(String split) {
        List<CorpusRow> rows = splits.get(split);
        if (rows == null) {
            throw new IllegalArgumentException("unknown split '" + split + "'; splits: " + Splits.ALL);
        }
        return rows;
    }

    /** Split to rows, every split of {@link Splits#ALL} in that order. */
    public Map<String, List<CorpusRow>> splits() {
        return splits;
    }

    public List<CorpusRow> allRows() {
        List<CorpusRow> all = new ArrayList<>();
        splits.values().forEach(all::addAll);
        return all;
    }

    /** Writes the word-level {@code tokenizer.json}; returns the vocabulary (index = id). */
    public List<String> writeTokenizer(Path file) {
        return WordLevelTokenizerJson.write(file, words);
    }

    public WorldSummary summary() {
        Map<String, Long> perSplit = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Long>>> counts = new LinkedHashMap<>();
        int maxTokens = 0;
        long total = 0;
        for (Map.Entry<String, List<CorpusRow>> e : splits.entrySet()) {
            perSplit.put(e.getKey(), (long) e.getValue().size());
            total += e.getValue().size();
            Map<String, Map<String, Long>> byKind = new TreeMap<>();
            for (CorpusRow r : e.getValue()) {
                byKind.computeIfAbsent(r.kind(), k -> new TreeMap<>()).merge(r.domain(), 1L, Long::sum);
                maxTokens = Math.max(maxTokens, ToyText.tokenCount(r.prompt(), r.response()));
            }
            counts.put(e.getKey(), byKind);
        }
        return new WorldSummary(WordLevelTokenizerJson.vocabulary(words).size(), maxTokens, total, perSplit,
                counts);
    }
}
