package org.immunobench.curation.curate;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.util.StdConverter;
import org.immunobench.curation.corpus.Splits;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;

/**
 * A curation policy of stage 6, applied in config order to the rows of the splits it names (all splits when it
 * names none). Each is a pure decision here; the curate job applies it with Spark and records every dropped row
 * with a reason starting with the policy's {@link #id()}.
 *
 * <p>Percentile policies compare a row's perplexity with percentiles of its (source, domain) group, computed once on
 * the scored rows that reach stage 6 (the population the buckets use), so they do not depend on order and
 * {@code keep_band {lo: 0, hi: 30}} keeps exactly the {@code head} bucket (ties aside). They skip rows without a
 * perplexity and groups under the bucket scheme's {@code min_group_rows}.
 *
 * <p>In a config each policy is a map with one key, its name: {@code {keep_band: {lo: 10, hi: 90}}}. That map is an
 * {@link Entry}, which the curate config binds and writes through {@link FromEntry} and {@link ToEntry}.
 */
public sealed interface CurationPolicy extends Serializable
        permits CurationPolicy.KeepBand, CurationPolicy.DropTopTail, CurationPolicy.BalanceDomains {

    /** Name and parameters, e.g. {@code keep_band[10,90]}: the reason category of the rows it drops. */
    String id();

    /** Splits it applies to; empty means every split. */
    List<String> splits();

    boolean needsPerplexity();

    /** Percentiles of the (source, domain) group the policy compares against. */
    default List<Double> percentiles() {
        return List.of();
    }

    default boolean appliesTo(String split) {
        return splits().isEmpty() || splits().contains(split);
    }

    /** One element of {@code policies}: exactly one of its keys is set, the policy's name. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(KeepBand keepBand, DropTopTail dropTopTail, BalanceDomains balanceDomains) implements Serializable {
        public Entry {
            if ((keepBand != null ? 1 : 0) + (dropTopTail != null ? 1 : 0) + (balanceDomains != null ? 1 : 0) != 1) {
                throw new IllegalArgumentException("expected one of [" + KeepBand.NAME + ", " + DropTopTail.NAME
                        + ", " + BalanceDomains.NAME + "] as the only key, e.g. {keep_band: {lo: 10, hi: 90}}");
            }
        }

        static Entry of(CurationPolicy p) {
            return new Entry(p instanceof KeepBand k ? k : null, p instanceof DropTopTail d ? d : null,
                    p instanceof BalanceDomains b ? b : null);
        }

        CurationPolicy policy() {
            return keepBand != null ? keepBand : dropTopTail != null ? dropTopTail : balanceDomains;
        }
    }

    /** Binds a policy from its {@link Entry}. */
    final class FromEntry extends StdConverter<Entry, CurationPolicy> {
        @Override
        public CurationPolicy convert(Entry entry) {
            return entry.policy();
        }
    }

    /** Writes a policy as its {@link Entry}. */
    final class ToEntry extends StdConverter<CurationPolicy, Entry> {
        @Override
        public Entry convert(CurationPolicy policy) {
            return Entry.of(policy);
        }
    }

    /**
     * CTRL-style band (CTRL prefers low-perplexity text, CCNet keeps the head; docs/methods, policies): keep rows whose
     * perplexity lies within [p_lo, p_hi] of their group.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record KeepBand(Double lo, Double hi, List<String> splits) implements CurationPolicy {
        public static final String NAME = "keep_band";

        public KeepBand {
            required("lo", lo);
            required("hi", hi);
            splits = checkSplits(splits);
            if (!(lo >= 0 && lo < hi && hi <= 100)) {
                throw new IllegalArgumentException("need 0 <= lo < hi <= 100, got lo=" + lo + " hi=" + hi);
            }
        }

        @Override
        public String id() {
            return NAME + "[" + fmt(lo) + "," + fmt(hi) + "]";
        }

        @Override
        public boolean needsPerplexity() {
            return true;
        }

        @Override
        public List<Double> percentiles() {
            return List.of(lo, hi);
        }

        /** Null when kept; else the reason, given the group's percentiles p_lo and p_hi. */
        public String dropReason(double ppl, double pLo, double pHi) {
            if (ppl < pLo) {
                return id() + ": ppl " + fmt(ppl) + " below p" + fmt(lo) + " " + fmt(pLo) + " of (source, domain)";
            }
            if (ppl > pHi) {
                return id() + ": ppl " + fmt(ppl) + " above p" + fmt(hi) + " " + fmt(pHi) + " of (source, domain)";
            }
            return null;
        }
    }

    /** Drop the highest-perplexity {@code percent} of each group: rows above its p(100 − percent). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record DropTopTail(Double percent, List<String> splits) implements CurationPolicy {
        public static final String NAME = "drop_top_tail";

        public DropTopTail {
            required("percent", percent);
            splits = checkSplits(splits);
            if (!(percent > 0 && percent < 100)) {
                throw new IllegalArgumentException("percent: must be in (0, 100), got " + percent);
            }
        }

        @Override
        public String id() {
            return NAME + "[" + fmt(percent) + "]";
        }

        @Override
        public boolean needsPerplexity() {
            return true;
        }

        @Override
        public List<Double> percentiles() {
            return List.of(100 - percent);
        }

        /** Null when kept; else the reason, given the group's p(100 − percent). */
        public String dropReason(double ppl, double cut) {
            return ppl > cut ? id() + ": ppl " + fmt(ppl) + " above p" + fmt(100 - percent) + " " + fmt(cut)
                    + " of (source, domain)" : null;
        }
    }

    /**
     * Cap the rows of every domain within each split, at {@code maxPerDomain} or, when that is null ({@code "min"}),
     * at the row count of the split's smallest domain. Which rows stay is a seeded hash order of their ids, so the
     * choice is deterministic and unrelated to perplexity, source order or row order.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record BalanceDomains(@JsonIgnore Integer maxPerDomain, List<String> splits) implements CurationPolicy {
        public static final String NAME = "balance_domains";
        public static final String MIN = "min";

        public BalanceDomains {
            splits = checkSplits(splits);
            if (maxPerDomain != null && maxPerDomain < 1) {
                throw new IllegalArgumentException("max_per_domain: must be >= 1 or \"min\", got " + maxPerDomain);
            }
        }

        /** Binds {@code max_per_domain: N} or {@code max_per_domain: min}. */
        @JsonCreator
        static BalanceDomains bind(@JsonProperty("max_per_domain") Object max,
                @JsonProperty("splits") List<String> splits) {
            required("max_per_domain", max);
            if (!MIN.equals(max) && !(max instanceof Integer)) {
                throw new IllegalArgumentException("max_per_domain: expected an integer, got '" + max + "'");
            }
            return new BalanceDomains(MIN.equals(max) ? null : (Integer) max, splits);
        }

        /** The config value: the cap or {@code min}. */
        @JsonProperty("max_per_domain")
        Object maxPerDomainValue() {
            return maxPerDomain == null ? MIN : maxPerDomain;
        }

        @Override
        public String id() {
            return NAME + "[" + (maxPerDomain == null ? MIN : "max=" + maxPerDomain) + "]";
        }

        @Override
        public boolean needsPerplexity() {
            return false;
        }

        /** Rows each domain of one split may keep, given the row counts of the split's domains. */
        public long cap(Collection<Long> domainCounts) {
            if (maxPerDomain != null) {
                return maxPerDomain;
            }
            return domainCounts.stream().mapToLong(Long::longValue).min().orElse(0);
        }

        public String dropReason(long cap) {
            return id() + ": over " + cap + " rows of its (split, domain)";
        }
    }

    private static void required(String key, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(key + ": missing");
        }
    }

    private static List<String> checkSplits(List<String> splits) {
        if (splits == null) {
            return List.of();
        }
        for (int i = 0; i < splits.size(); i++) {
            if (splits.get(i) == null || !Splits.ALL.contains(splits.get(i))) {
                throw new IllegalArgumentException("splits[" + i + "]: '" + splits.get(i) + "' is not one of "
                        + Splits.ALL);
            }
        }
        return List.copyOf(splits);
    }

    /** 10.0 → "10", 12.5 → "12.5", 1234.5678 → "1234.57". */
    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
