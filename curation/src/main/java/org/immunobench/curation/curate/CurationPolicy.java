package org.immunobench.curation.curate;

import org.immunobench.curation.corpus.Splits;

import java.io.Serializable;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A curation policy of stage 6, applied in config order to the rows of the splits it names (all splits when it
 * names none). Each is a pure decision here; the curate job applies it with Spark and records every dropped row
 * with a reason starting with the policy's {@link #id()}.
 *
 * <p>Percentile policies compare a row's perplexity with percentiles of its (source, domain) group, computed once on
 * the scored rows that reach stage 6 (the population the buckets use), so they do not depend on order and
 * {@code keep_band {lo: 0, hi: 30}} keeps exactly the {@code head} bucket (ties aside). They skip rows without a
 * perplexity and groups under the bucket scheme's {@code min_group_rows}.
 */
public sealed interface CurationPolicy extends Serializable
        permits CurationPolicy.KeepBand, CurationPolicy.DropTopTail, CurationPolicy.BalanceDomains {

    List<String> NAMES = List.of(KeepBand.NAME, DropTopTail.NAME, BalanceDomains.NAME);

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

    /** The config-file form. */
    Map<String, Object> toMap();

    /**
     * CTRL-style band (CTRL prefers low-perplexity text, CCNet keeps the head; docs/methods, policies): keep rows whose
     * perplexity lies within [p_lo, p_hi] of their group.
     */
    record KeepBand(double lo, double hi, List<String> splits) implements CurationPolicy {
        public static final String NAME = "keep_band";

        public KeepBand {
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

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lo", lo);
            m.put("hi", hi);
            putSplits(m, splits);
            return Map.of(NAME, m);
        }
    }

    /** Drop the highest-perplexity {@code percent} of each group: rows above its p(100 − percent). */
    record DropTopTail(double percent, List<String> splits) implements CurationPolicy {
        public static final String NAME = "drop_top_tail";

        public DropTopTail {
            splits = checkSplits(splits);
            if (!(percent > 0 && percent < 100)) {
                throw new IllegalArgumentException("percent must be in (0, 100), got " + percent);
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

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("percent", percent);
            putSplits(m, splits);
            return Map.of(NAME, m);
        }
    }

    /**
     * Cap the rows of every domain within each split, at {@code maxPerDomain} or, when that is null ({@code "min"}),
     * at the row count of the split's smallest domain. Which rows stay is a seeded hash order of their ids, so the
     * choice is deterministic and unrelated to perplexity, source order or row order.
     */
    record BalanceDomains(Integer maxPerDomain, List<String> splits) implements CurationPolicy {
        public static final String NAME = "balance_domains";
        public static final String MIN = "min";

        public BalanceDomains {
            splits = checkSplits(splits);
            if (maxPerDomain != null && maxPerDomain < 1) {
                throw new IllegalArgumentException("max_per_domain must be >= 1 or \"min\", got " + maxPerDomain);
            }
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

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_per_domain", maxPerDomain == null ? MIN : maxPerDomain);
            putSplits(m, splits);
            return Map.of(NAME, m);
        }
    }

    /** One element of {@code policies}: a map with exactly one key, the policy name. */
    static CurationPolicy parse(ConfigSection list, int index, Object element) {
        String where = list.at("policies") + "[" + index + "]";
        if (!(element instanceof Map<?, ?> m) || m.size() != 1) {
            throw new IllegalArgumentException(where + ": expected one of " + NAMES + " as the only key, e.g."
                    + " {keep_band: {lo: 10, hi: 90}}, got " + ConfigSection.describe(element));
        }
        ConfigSection holder = list.element("policies", index, element);
        String name = String.valueOf(m.keySet().iterator().next());
        ConfigSection p = holder.section(name);
        try {
            switch (name) {
                case KeepBand.NAME:
                    p.allowOnly(List.of("lo", "hi", "splits"));
                    requireKeys(p, "lo", "hi");
                    return new KeepBand(p.number("lo", 0), p.number("hi", 100), p.strings("splits", List.of()));
                case DropTopTail.NAME:
                    p.allowOnly(List.of("percent", "splits"));
                    requireKeys(p, "percent");
                    return new DropTopTail(p.number("percent", 0), p.strings("splits", List.of()));
                case BalanceDomains.NAME:
                    p.allowOnly(List.of("max_per_domain", "splits"));
                    requireKeys(p, "max_per_domain");
                    Object max = p.raw("max_per_domain");
                    Integer cap = BalanceDomains.MIN.equals(max) ? null : p.intValue("max_per_domain", 0);
                    return new BalanceDomains(cap, p.strings("splits", List.of()));
                default:
                    throw new IllegalArgumentException(holder.at(name) + ": unknown policy; known: " + NAMES);
            }
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith(where) ? msg : p.path() + ": " + msg);
        }
    }

    private static void requireKeys(ConfigSection p, String... keys) {
        for (String k : keys) {
            if (!p.has(k)) {
                throw new IllegalArgumentException(p.at(k) + ": missing");
            }
        }
    }

    private static List<String> checkSplits(List<String> splits) {
        List<String> s = splits == null ? List.of() : List.copyOf(splits);
        for (String x : s) {
            if (!Splits.ALL.contains(x)) {
                throw new IllegalArgumentException("splits: '" + x + "' is not one of " + Splits.ALL);
            }
        }
        return s;
    }

    private static void putSplits(Map<String, Object> m, List<String> splits) {
        if (!splits.isEmpty()) {
            m.put("splits", splits);
        }
    }

    /** 10.0 → "10", 12.5 → "12.5", 1234.5678 → "1234.57". */
    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
