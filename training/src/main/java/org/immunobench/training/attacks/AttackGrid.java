package org.immunobench.training.attacks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cross product of attack kinds × hyper-parameter values × seeds (durability checklist items 1–3 in docs/methods:
 * many seeds and hyper-parameters, not one run). Expansion order is deterministic: kinds in the given order, parameters
 * by name, values in the given order, seeds last.
 */
public final class AttackGrid {
    private AttackGrid() {
    }

    /**
     * @param kinds kind → (parameter → values to sweep); a parameter with one value is fixed
     * @param seeds every combination runs once per seed
     */
    public static List<AttackSpec> expand(Map<String, Map<String, List<String>>> kinds, List<Long> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("attack grid needs at least one seed");
        }
        List<AttackSpec> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<String>>> k : kinds.entrySet()) {
            List<Map<String, String>> combos = new ArrayList<>();
            combos.add(new LinkedHashMap<>());
            for (Map.Entry<String, List<String>> p : new TreeMap<>(k.getValue()).entrySet()) {
                if (p.getValue().isEmpty()) {
                    throw new IllegalArgumentException("attack grid: " + k.getKey() + "." + p.getKey()
                            + " has no values");
                }
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> c : combos) {
                    for (String v : p.getValue()) {
                        Map<String, String> m = new LinkedHashMap<>(c);
                        m.put(p.getKey(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            for (Map<String, String> c : combos) {
                for (long seed : seeds) {
                    out.add(new AttackSpec(k.getKey(), c, seed));
                }
            }
        }
        return out;
    }
}
