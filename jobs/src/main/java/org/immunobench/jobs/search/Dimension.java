package org.immunobench.jobs.search;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One hyper-parameter of a search space ({@code attacks[i].search.space.<key>}): exactly one of
 * <ul>
 *   <li>{@code log_uniform: [lo, hi]}, 0 &lt; lo &lt; hi: x = exp(ln lo + u·(ln hi − ln lo)) (learning rates);</li>
 *   <li>{@code uniform: [lo, hi]}, lo &lt; hi: x = lo + u·(hi − lo) (harmful ratio);</li>
 *   <li>{@code int_uniform: [lo, hi]}, integers, lo ≤ hi, both ends included: lo + ⌊u·(hi − lo + 1)⌋;</li>
 *   <li>{@code choice: [a, b, …]}: the value at ⌊u·n⌋; a null entry leaves the key unset, i.e. the attack's
 *       default (so {@code lora_rank: {choice: [null, 4, 16]}} mixes full fine-tuning with LoRA ranks).</li>
 * </ul>
 * u ∈ [0, 1) is one coordinate of a sampler's point ({@link Sampler}). Real values are rounded to four significant
 * digits, so trial configs read well and their JSON (part of the trial's rows) is stable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // run.yaml shows the one form given, not three nulls
public record Dimension(List<Double> logUniform, List<Double> uniform, List<Long> intUniform, List<Object> choice) {
    private static final MathContext DIGITS = new MathContext(4);

    public Dimension {
        int set = (logUniform == null ? 0 : 1) + (uniform == null ? 0 : 1) + (intUniform == null ? 0 : 1)
                + (choice == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of log_uniform, uniform, int_uniform, choice must be given,"
                    + " got " + set);
        }
        if (logUniform != null) {
            range("log_uniform", logUniform);
            if (!(logUniform.get(0) > 0)) {
                throw new IllegalArgumentException("log_uniform: the lower end must be > 0, got " + logUniform.get(0));
            }
            logUniform = List.copyOf(logUniform);
        }
        if (uniform != null) {
            range("uniform", uniform);
            uniform = List.copyOf(uniform);
        }
        if (intUniform != null) {
            if (intUniform.size() != 2 || intUniform.get(0) == null || intUniform.get(1) == null
                    || intUniform.get(0) > intUniform.get(1)) {
                throw new IllegalArgumentException("int_uniform: expected [lo, hi] with lo <= hi, got " + intUniform);
            }
            intUniform = List.copyOf(intUniform);
        }
        if (choice != null) {
            if (choice.isEmpty()) {
                throw new IllegalArgumentException("choice: needs at least one value");
            }
            for (int i = 0; i < choice.size(); i++) {
                Object v = choice.get(i);
                if (v instanceof Map || v instanceof List) {
                    throw new IllegalArgumentException("choice[" + i + "]: must be a single value (or null), got " + v);
                }
            }
            choice = java.util.Collections.unmodifiableList(new ArrayList<>(choice)); // may hold null
        }
    }

    private static void range(String key, List<Double> r) {
        if (r.size() != 2 || r.get(0) == null || r.get(1) == null || !Double.isFinite(r.get(0))
                || !Double.isFinite(r.get(1)) || !(r.get(0) < r.get(1))) {
            throw new IllegalArgumentException(key + ": expected [lo, hi] with finite lo < hi, got " + r);
        }
    }

    /** The value at coordinate u ∈ [0, 1), as the string an attack parameter takes; null = leave the key unset. */
    public String value(double u) {
        if (!(u >= 0 && u < 1)) {
            throw new IllegalArgumentException("coordinate must be in [0, 1), got " + u);
        }
        if (logUniform != null) {
            double lo = Math.log(logUniform.get(0));
            double hi = Math.log(logUniform.get(1));
            return real(Math.exp(lo + u * (hi - lo)), logUniform.get(0), logUniform.get(1));
        }
        if (uniform != null) {
            return real(uniform.get(0) + u * (uniform.get(1) - uniform.get(0)), uniform.get(0), uniform.get(1));
        }
        if (intUniform != null) {
            long lo = intUniform.get(0);
            long n = intUniform.get(1) - lo + 1;
            return Long.toString(lo + Math.min(n - 1, (long) Math.floor(u * n)));
        }
        Object v = choice.get(Math.min(choice.size() - 1, (int) Math.floor(u * choice.size())));
        return v == null ? null : String.valueOf(v);
    }

    /**
     * Four significant digits; a value that rounding carried past an end of the range is the end itself (ends with
     * more than four digits are kept as given).
     */
    private static String real(double x, double lo, double hi) {
        double r = new BigDecimal(x).round(DIGITS).doubleValue();
        if (r < lo || r > hi) {
            r = r < lo ? lo : hi;
            return BigDecimal.valueOf(r).stripTrailingZeros().toString();
        }
        return BigDecimal.valueOf(r).stripTrailingZeros().toString();
    }
}
