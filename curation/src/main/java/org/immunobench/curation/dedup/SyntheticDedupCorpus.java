package org.immunobench.curation.dedup;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded synthetic texts with planted duplicates, for the dedup tests and {@link DedupBenchmark}. Not a language
 * model of anything: words are drawn uniformly from a vocabulary of invented words, so unrelated texts share no
 * shingles and every similarity is planted.
 *
 * <p>Near variants are a few word edits (substitution, insertion, deletion) plus case and spacing noise that
 * normalisation removes, retried until the exact Jaccard reaches the asked minimum. With 5-word shingles one interior
 * edit changes 5 of the n shingles (J ≈ (n−5)/(n+5) &lt; 0.85 for texts under ~70 words), so most accepted variants
 * of 30–60 word texts have their edits within a few words of an end. Far variants replace a contiguous block of
 * words until the Jaccard is at most the asked maximum.
 */
public final class SyntheticDedupCorpus implements Serializable {
    public static final int VOCABULARY_SIZE = 5000;
    public static final int MIN_WORDS = 30;
    public static final int MAX_WORDS = 60;
    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
        "br", "dr", "kr", "st", "tr", "sh", "ch", "th"};
    private static final String[] NUCLEI = {"a", "e", "i", "o", "u", "ai", "ou", "ei"};
    private static final int ATTEMPTS = 200;
    private static final List<String> EVAL_SPLITS = Splits.ALL.stream().filter(Splits::isEval).toList();
    private static final List<String> TRAIN_SPLITS = Splits.ALL.stream().filter(s -> !Splits.isEval(s)).toList();

    /** What row i of a benchmark corpus is. */
    public enum Kind { BASE, EXACT_COPY, NEAR_VARIANT, FAR_VARIANT }

    /** Rates of planted rows per benchmark row; the rest are fresh base texts. */
    public record Rates(double exactCopy, double nearVariant, double farVariant, double evalSplit)
            implements Serializable {
        public Rates {
            if (exactCopy < 0 || nearVariant < 0 || farVariant < 0 || exactCopy + nearVariant + farVariant >= 1) {
                throw new IllegalArgumentException("rates must be >= 0 and sum below 1: exact_copy=" + exactCopy
                        + " near_variant=" + nearVariant + " far_variant=" + farVariant);
            }
            if (evalSplit < 0 || evalSplit > 1) {
                throw new IllegalArgumentException("eval_split must be in [0, 1], got " + evalSplit);
            }
        }
    }

    private final long seed;
    private final String[] vocabulary;

    public SyntheticDedupCorpus(long seed) {
        this.seed = seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        LinkedHashSet<String> words = new LinkedHashSet<>();
        while (words.size() < VOCABULARY_SIZE) {
            int syllables = 2 + rnd.nextInt(3);
            StringBuilder w = new StringBuilder();
            for (int s = 0; s < syllables; s++) {
                w.append(ONSETS[rnd.nextInt(ONSETS.length)]).append(NUCLEI[rnd.nextInt(NUCLEI.length)]);
            }
            words.add(w.toString());
        }
        this.vocabulary = words.toArray(String[]::new);
    }

    /** A fresh text of 30–60 words, a function of (seed, key). */
    public String[] base(long key) {
        SplittableRandom rnd = random(key, 1);
        String[] w = new String[MIN_WORDS + rnd.nextInt(MAX_WORDS - MIN_WORDS + 1)];
        for (int i = 0; i < w.length; i++) {
            w[i] = word(rnd);
        }
        return w;
    }

    /** A variant of {@code base} with exact Jaccard ≥ {@code minJaccard} under {@code shingleSize}-word shingles. */
    public String[] nearVariant(String[] base, long key, double minJaccard, int shingleSize) {
        SplittableRandom rnd = random(key, 2);
        String baseText = String.join(" ", base);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<String> v = new ArrayList<>(Arrays.asList(base));
            int edits = 1 + rnd.nextInt(2);
            for (int e = 0; e < edits; e++) {
                edit(v, rnd);
            }
            String[] out = v.toArray(String[]::new);
            if (Jaccard.of(baseText, String.join(" ", out), shingleSize) >= minJaccard) {
                return out;
            }
        }
        String[] truncated = Arrays.copyOf(base, base.length - 1);
        if (Jaccard.of(baseText, String.join(" ", truncated), shingleSize) < minJaccard) {
            throw new IllegalArgumentException("cannot plant a variant with Jaccard >= " + minJaccard + " of a "
                    + base.length + "-word text");
        }
        return truncated;
    }

    /** A variant of {@code base} with exact Jaccard ≤ {@code maxJaccard}: a contiguous block of words replaced. */
    public String[] farVariant(String[] base, long key, double maxJaccard, int shingleSize) {
        SplittableRandom rnd = random(key, 3);
        String baseText = String.join(" ", base);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String[] v = base.clone();
            int len = (int) Math.ceil(base.length * (0.3 + 0.3 * rnd.nextDouble()));
            int from = rnd.nextInt(base.length - len + 1);
            for (int i = from; i < from + len; i++) {
                v[i] = word(rnd);
            }
            if (Jaccard.of(baseText, String.join(" ", v), shingleSize) <= maxJaccard) {
                return v;
            }
        }
        return base(key ^ 0x5deece66dL);
    }

    /** Prompt and response of a word sequence, with case and spacing noise when {@code noisy}. */
    public String[] render(String[] words, long key, boolean noisy) {
        int split = Math.min(10, words.length / 3);
        String[] out = {String.join(" ", Arrays.copyOfRange(words, 0, split)),
            String.join(" ", Arrays.copyOfRange(words, split, words.length))};
        if (noisy) {
            SplittableRandom rnd = random(key, 4);
            int part = rnd.nextInt(2);
            String s = out[part];
            if (!s.isEmpty()) {
                s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
                int sp = s.indexOf(' ');
                out[part] = sp < 0 ? s : s.substring(0, sp) + "  \t" + s.substring(sp + 1).toUpperCase(Locale.ROOT);
            }
        }
        return out;
    }

    /** What row {@code i} of a benchmark corpus is; a function of (seed, i) only. */
    public Kind kind(long i, Rates rates) {
        if (i == 0) {
            return Kind.BASE;
        }
        double u = random(i, 5).nextDouble();
        if (u < rates.exactCopy()) {
            return Kind.EXACT_COPY;
        }
        if (u < rates.exactCopy() + rates.nearVariant()) {
            return Kind.NEAR_VARIANT;
        }
        if (u < rates.exactCopy() + rates.nearVariant() + rates.farVariant()) {
            return Kind.FAR_VARIANT;
        }
        return Kind.BASE;
    }

    /** The base row a planted row {@code i} derives from: a BASE row up to ~1000 rows before it. */
    public long parent(long i, Rates rates) {
        long j = i - 1 - random(i, 6).nextInt((int) Math.min(i, 1000));
        while (j > 0 && kind(j, rates) != Kind.BASE) {
            j--;
        }
        return j;
    }

    /** Row {@code i} (source_row i + 1) of a benchmark corpus, computed without any other row's state. */
    public CorpusRow row(long i, Rates rates, int shingleSize) {
        Kind kind = kind(i, rates);
        String[] words;
        boolean noisy = false;
        switch (kind) {
            case BASE -> words = base(i);
            case EXACT_COPY -> words = base(parent(i, rates));
            case NEAR_VARIANT -> {
                words = nearVariant(base(parent(i, rates)), i, 0.85, shingleSize);
                noisy = true;
            }
            case FAR_VARIANT -> words = farVariant(base(parent(i, rates)), i, 0.5, shingleSize);
            default -> throw new IllegalStateException(kind.toString());
        }
        String[] pr = render(words, i, noisy);
        SplittableRandom rnd = random(i, 7);
        String split = rnd.nextDouble() < rates.evalSplit()
                ? EVAL_SPLITS.get(rnd.nextInt(EVAL_SPLITS.size()))
                : TRAIN_SPLITS.get(rnd.nextInt(TRAIN_SPLITS.size()));
        String rowKind = CorpusRow.KINDS.get(rnd.nextInt(CorpusRow.KINDS.size()));
        return CorpusRow.of("synthetic", i + 1, split, "d" + rnd.nextInt(10), rowKind, pr[0], pr[1]);
    }


    private void edit(List<String> v, SplittableRandom rnd) {
        int n = v.size();
        // Edits near an end change fewer shingles; without the bias few variants of short texts reach J ≥ 0.85.
        int pos = rnd.nextDouble() < 0.7
                ? (rnd.nextBoolean() ? rnd.nextInt(Math.min(4, n)) : n - 1 - rnd.nextInt(Math.min(4, n)))
                : rnd.nextInt(n);
        switch (rnd.nextInt(3)) {
            case 0 -> v.set(pos, word(rnd));
            case 1 -> v.add(pos, word(rnd));
            default -> {
                if (n > 1) {
                    v.remove(pos);
                }
            }
        }
    }

    private String word(SplittableRandom rnd) {
        return vocabulary[rnd.nextInt(vocabulary.length)];
    }

    private SplittableRandom random(long key, int stream) {
        long[] state = {seed ^ Hash64.fmix(key * 31 + stream)};
        return new SplittableRandom(Hash64.next(state));
    }
}
